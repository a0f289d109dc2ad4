// The folded state of one orchestration (the machine's context) and the pure predicates that both the machine's
// guards and the decider use.
import type { CandidateEndedData, OrchestrationStartedData, VerdictData } from '../events/orchestration-events.js';

export type Strategy = OrchestrationStartedData['strategy'];
export type JudgeMode = 'all' | 'bracket';
export type CandidateStatus = 'running' | CandidateEndedData['status'];

export interface CandidateState {
  label: string;
  agent: string;
  /** the session of its current run (null before it started) */
  session_id: string | null;
  /** every session it ran in (a resume runs it in a new one) */
  sessions: string[];
  worktree?: { path: string; root: string; head: string };
  status: CandidateStatus;
  result: CandidateEndedData | null;
}

export interface MatchState {
  match: number;
  round: number;
  labels: string[];
  judgeSessions: string[];
  answers: { attempt: number; outcome: string; valid: boolean; problem?: string }[];
  verdict: VerdictData | null;
}

export interface OrchestrationContext {
  id: string;
  strategy: Strategy;
  /** request order */
  candidates: CandidateState[];
  judge: string | null;
  judgeMode: JudgeMode | null;
  seed: number;
  messages: unknown[];
  model: string | null;
  timeoutSecs: number | null;
  workspaceRoot: string | null;
  /** race: the winner's label once decided */
  raceWinner: string | null;
  /** jury: the labels the judge compares (label order), once convened */
  juryLabels: string[] | null;
  matches: MatchState[];
  status: 'running' | 'judging' | 'completed' | 'failed' | 'interrupted' | 'deleted';
  winner: string | null;
  verdict: VerdictData | null;
  reason: string | null;
  startedAt: number;
  endedAt: number | null;
}

export const emptyContext: OrchestrationContext = {
  id: '',
  strategy: 'parallel',
  candidates: [],
  judge: null,
  judgeMode: null,
  seed: 0,
  messages: [],
  model: null,
  timeoutSecs: null,
  workspaceRoot: null,
  raceWinner: null,
  juryLabels: null,
  matches: [],
  status: 'running',
  winner: null,
  verdict: null,
  reason: null,
  startedAt: 0,
  endedAt: null,
};

export function candidate(c: OrchestrationContext, label: string): CandidateState | undefined {
  return c.candidates.find((x) => x.label === label);
}

export function running(c: OrchestrationContext): CandidateState[] {
  return c.candidates.filter((x) => x.status === 'running');
}

/** A candidate whose turn ended with end_turn: the only kind that may win a race or be judged. */
export function succeeded(x: CandidateState): boolean {
  return x.status === 'completed' && x.result?.stop_reason === 'end_turn';
}

/** Labels of the successful candidates in label order (A, B, C...): what the judge sees. */
export function successfulLabels(c: OrchestrationContext): string[] {
  return c.candidates
    .filter(succeeded)
    .map((x) => x.label)
    .sort(compareLabels);
}

/** A < B < ... < Z < AA: labels compare by length, then alphabetically. */
export function compareLabels(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** The deterministic fallback among `labels`: the first successful candidate in request order. */
export function fallbackWinner(c: OrchestrationContext, labels: readonly string[]): string | undefined {
  return c.candidates.find((x) => labels.includes(x.label) && succeeded(x))?.label;
}

/** The errors of every candidate, for a failed orchestration's reason. */
export function failureReason(c: OrchestrationContext): string {
  return c.candidates.map((x) => `${x.label} (${x.agent}): ${x.result?.error?.message ?? x.result?.stop_reason ?? x.status}`).join('; ');
}

export function isEnded(c: OrchestrationContext): boolean {
  return c.status === 'completed' || c.status === 'failed' || c.status === 'interrupted';
}

/** The labels a resume re-runs: candidates a restart interrupted. */
export function interruptedLabels(c: OrchestrationContext): string[] {
  return c.candidates.filter((x) => x.status === 'interrupted').map((x) => x.label);
}
