// Events of an orchestration stream (`orchestration:<id>`): one actor coordinating candidate sessions (and judge
// sessions, for a jury). Its candidates' ACP traffic lives in their own session streams; this stream records only
// what the orchestration decided and what came back: who runs under which label, each candidate's end, the race's
// winner, every judge prompt and answer, each match of a bracket, the verdict and the end.
import { z } from 'zod';
import type { EventCatalogue } from './catalogue.js';

export const orchestrationStrategies = ['parallel', 'race', 'jury'] as const;
export const judgeModes = ['all', 'bracket'] as const;
export const candidateStatuses = ['completed', 'failed', 'cancelled', 'interrupted'] as const;

const json = z.unknown();

export const OrchestrationCandidate = z.object({
  /** the anonymous label (A, B, C, ...): assigned by the seeded shuffle, so a judge never learns the request order */
  label: z.string(),
  agent: z.string(),
  /** the candidate's own git worktree (isolation), detached at `head` of `root` */
  worktree: z.object({ path: z.string(), root: z.string(), head: z.string() }).optional(),
});

export const OrchestrationStarted = z.object({
  id: z.string(),
  strategy: z.enum(orchestrationStrategies),
  /** in request order */
  candidates: z.array(OrchestrationCandidate),
  /** the judge's agent (jury) */
  judge: z.string().nullable(),
  /** null: chosen when the jury convenes (bracket above three successful candidates) */
  judge_mode: z.enum(judgeModes).nullable(),
  /** the seed of the label shuffle: replaying it gives the same labels */
  seed: z.number().int(),
  /** the labels of the candidates, in request order (the shuffled order the seed gives) */
  label_order: z.array(z.string()),
  /** the task, as the client sent it (each candidate is prompted with it) */
  messages: z.array(json),
  model: z.string().nullable(),
  timeout_secs: z.number().nullable(),
  /** where the candidates work when they are not isolated (null: each gets a fresh empty workspace) */
  workspace_root: z.string().nullable(),
});

/** A candidate's session exists (recorded before it is prompted): a resume runs it again in a new one. */
export const CandidateStarted = z.object({ label: z.string(), session_id: z.string() });

export const CandidateEnded = z.object({
  label: z.string(),
  status: z.enum(candidateStatuses),
  stop_reason: z.string().nullable(),
  text: z.string(),
  usage: json.optional(),
  duration_ms: z.number().int().nonnegative(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** isolation: `git diff --stat` of the candidate's worktree against its head, and the diff (capped) */
  diff_stat: z.string().optional(),
  diff: z.string().optional(),
  diff_truncated: z.boolean().optional(),
});

/** race: the first candidate to end with end_turn; the others are cancelled and closed. */
export const RaceWon = z.object({ label: z.string(), cancelled: z.array(z.string()) });

/** jury: every candidate ended; the judge compares the successful ones (labels in label order). */
export const JuryConvened = z.object({ labels: z.array(z.string()), judge_mode: z.enum(judgeModes) });

/** One prompt to a judge session: a match (bracket: two labels; all: every label), attempt 1 or the corrective 2. */
export const JudgeRequested = z.object({
  match: z.number().int().positive(),
  round: z.number().int().positive(),
  labels: z.array(z.string()),
  session_id: z.string(),
  attempt: z.number().int().positive(),
});

/** What the judge answered to one prompt, and whether it was a valid verdict (else why not). */
export const JudgeAnswered = z.object({
  match: z.number().int().positive(),
  attempt: z.number().int().positive(),
  outcome: z.string(),
  text: z.string(),
  valid: z.boolean(),
  problem: z.string().optional(),
});

export const Verdict = z.object({
  winner: z.string(),
  scores: z.record(z.string(), z.number()),
  rationale: z.string(),
  /** true: not the judge's choice but the deterministic fallback (first completed candidate in request order) */
  fallback: z.boolean(),
  reason: z.string().optional(),
});

export const MatchDecided = z.object({
  match: z.number().int().positive(),
  round: z.number().int().positive(),
  labels: z.array(z.string()),
  verdict: Verdict,
});

/** The jury's verdict (the last match's winner, or the only successful candidate), just before the end. */
export const VerdictReached = Verdict;

export const OrchestrationEnded = z.object({
  status: z.enum(['completed', 'failed', 'interrupted']),
  winner: z.string().nullable(),
  verdict: Verdict.optional(),
  /** why it failed or was interrupted (the candidates' errors, the interrupted candidates or judge) */
  reason: z.string().optional(),
});

/** The client asked to re-run what a restart interrupted: these candidates, and/or the judge. */
export const OrchestrationResumed = z.object({ labels: z.array(z.string()), judge: z.boolean() });

/** DELETE: running candidates cancelled, every session closed, worktrees removed. */
export const OrchestrationDeleted = z.object({});

export function defineOrchestrationEvents(c: EventCatalogue): void {
  c.define('OrchestrationStarted', OrchestrationStarted);
  c.define('CandidateStarted', CandidateStarted);
  c.define('CandidateEnded', CandidateEnded);
  c.define('RaceWon', RaceWon);
  c.define('JuryConvened', JuryConvened);
  c.define('JudgeRequested', JudgeRequested);
  c.define('JudgeAnswered', JudgeAnswered);
  c.define('MatchDecided', MatchDecided);
  c.define('VerdictReached', VerdictReached);
  c.define('OrchestrationEnded', OrchestrationEnded);
  c.define('OrchestrationResumed', OrchestrationResumed);
  c.define('OrchestrationDeleted', OrchestrationDeleted);
}

export type OrchestrationStartedData = z.infer<typeof OrchestrationStarted>;
export type CandidateEndedData = z.infer<typeof CandidateEnded>;
export type VerdictData = z.infer<typeof Verdict>;
