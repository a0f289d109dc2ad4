// The orchestration actor's fold: new → running (candidates) → judging (jury) → ended, and deleted from anywhere.
// Effects are emitted only on live transitions (after the commit); the kind's named handlers run them
// (orchestration-kind.ts). An ended orchestration is not final: a resume takes it back to running or judging.
import { assign, emit, setup } from 'xstate';
import type { z } from 'zod';
import type {
  CandidateEnded,
  CandidateStarted,
  JudgeAnswered,
  JudgeRequested,
  JuryConvened,
  MatchDecided,
  OrchestrationEnded,
  OrchestrationResumed,
  OrchestrationStarted,
  RaceWon,
} from '../events/orchestration-events.js';
import type { VerdictData } from '../events/orchestration-events.js';
import { emptyContext, type MatchState, type OrchestrationContext } from './orchestration-state.js';

type At = { $at?: number; $pos?: number };
export type OrchestrationEvent = At &
  (
    | ({ type: 'OrchestrationStarted' } & z.infer<typeof OrchestrationStarted>)
    | ({ type: 'CandidateStarted' } & z.infer<typeof CandidateStarted>)
    | ({ type: 'CandidateEnded' } & z.infer<typeof CandidateEnded>)
    | ({ type: 'RaceWon' } & z.infer<typeof RaceWon>)
    | ({ type: 'JuryConvened' } & z.infer<typeof JuryConvened>)
    | ({ type: 'JudgeRequested' } & z.infer<typeof JudgeRequested>)
    | ({ type: 'JudgeAnswered' } & z.infer<typeof JudgeAnswered>)
    | ({ type: 'MatchDecided' } & z.infer<typeof MatchDecided>)
    | ({ type: 'VerdictReached' } & VerdictData)
    | ({ type: 'OrchestrationEnded' } & z.infer<typeof OrchestrationEnded>)
    | ({ type: 'OrchestrationResumed' } & z.infer<typeof OrchestrationResumed>)
    | { type: 'OrchestrationDeleted' }
  );

/** What the live actor asks its handlers to do (orchestration-kind.ts). */
export type OrchestrationEffect =
  | { type: 'effect.runCandidates'; labels: string[] }
  | { type: 'effect.cancelCandidates'; labels: string[] }
  | { type: 'effect.judge' }
  | { type: 'effect.ended' }
  | { type: 'effect.cleanup' };

type Ev<T extends OrchestrationEvent['type']> = Extract<OrchestrationEvent, { type: T }>;

function withMatch(matches: MatchState[], n: number, change: (m: MatchState) => MatchState): MatchState[] {
  return matches.map((m) => (m.match === n ? change(m) : m));
}

export const orchestrationMachine = setup({
  types: { context: {} as OrchestrationContext, events: {} as OrchestrationEvent, emitted: {} as OrchestrationEffect },
  actions: {
    endCandidate: assign({
      candidates: ({ context, event }) => {
        const e = event as Ev<'CandidateEnded'>;
        const { label, status } = e;
        const result = { label, status, stop_reason: e.stop_reason, text: e.text, usage: e.usage, duration_ms: e.duration_ms, error: e.error, diff_stat: e.diff_stat, diff: e.diff, diff_truncated: e.diff_truncated };
        return context.candidates.map((c) => (c.label === label ? { ...c, status, result } : c));
      },
    }),
    end: assign(({ context, event }) => {
      const e = event as Ev<'OrchestrationEnded'>;
      return { status: e.status, winner: e.winner, verdict: e.verdict ?? context.verdict, reason: e.reason ?? null, endedAt: e.$at ?? null };
    }),
    resume: assign(({ context, event }) => {
      const e = event as Ev<'OrchestrationResumed'>;
      return {
        status: 'running' as const,
        reason: null,
        endedAt: null,
        candidates: context.candidates.map((c) => (e.labels.includes(c.label) ? { ...c, status: 'running' as const, result: null } : c)),
      };
    }),
  },
}).createMachine({
  id: 'orchestration',
  initial: 'new',
  context: emptyContext,
  on: {
    VerdictReached: {
      actions: assign({
        verdict: ({ event }) => {
          const { type: _t, $at: _a, $pos: _p, ...verdict } = event as Ev<'VerdictReached'>;
          return verdict;
        },
      }),
    },
    OrchestrationDeleted: {
      target: '.deleted',
      actions: [assign({ status: 'deleted' }), emit({ type: 'effect.cleanup' })],
    },
  },
  states: {
    new: {
      on: {
        OrchestrationStarted: {
          target: 'running',
          actions: [
            assign(({ event }) => {
              const e = event as Ev<'OrchestrationStarted'>;
              return {
                id: e.id,
                strategy: e.strategy,
                candidates: e.candidates.map((c) => ({ ...c, session_id: null, sessions: [], status: 'running' as const, result: null })),
                judge: e.judge,
                judgeMode: e.judge_mode,
                seed: e.seed,
                messages: e.messages,
                model: e.model,
                timeoutSecs: e.timeout_secs,
                workspaceRoot: e.workspace_root,
                status: 'running' as const,
                startedAt: e.$at ?? 0,
              };
            }),
            emit(({ event }) => ({ type: 'effect.runCandidates' as const, labels: (event as Ev<'OrchestrationStarted'>).candidates.map((c) => c.label) })),
          ],
        },
      },
    },
    running: {
      on: {
        CandidateStarted: {
          actions: assign({
            candidates: ({ context, event }) => {
              const e = event as Ev<'CandidateStarted'>;
              return context.candidates.map((c) => (c.label === e.label ? { ...c, session_id: e.session_id, sessions: [...c.sessions, e.session_id] } : c));
            },
          }),
        },
        CandidateEnded: { actions: 'endCandidate' },
        RaceWon: {
          actions: [
            assign({ raceWinner: ({ event }) => (event as Ev<'RaceWon'>).label }),
            emit(({ event }) => ({ type: 'effect.cancelCandidates' as const, labels: (event as Ev<'RaceWon'>).cancelled })),
          ],
        },
        JuryConvened: {
          target: 'judging',
          actions: [
            assign(({ event }) => ({ juryLabels: (event as Ev<'JuryConvened'>).labels, judgeMode: (event as Ev<'JuryConvened'>).judge_mode, status: 'judging' as const })),
            emit({ type: 'effect.judge' }),
          ],
        },
        OrchestrationEnded: { target: 'ended', actions: ['end', emit({ type: 'effect.ended' })] },
      },
    },
    judging: {
      on: {
        CandidateEnded: { actions: 'endCandidate' },
        JudgeRequested: {
          actions: assign({
            matches: ({ context, event }) => {
              const e = event as Ev<'JudgeRequested'>;
              const known = context.matches.some((m) => m.match === e.match);
              const base = known ? context.matches : [...context.matches, { match: e.match, round: e.round, labels: e.labels, judgeSessions: [], answers: [], verdict: null }];
              return withMatch(base, e.match, (m) => ({ ...m, judgeSessions: m.judgeSessions.includes(e.session_id) ? m.judgeSessions : [...m.judgeSessions, e.session_id] }));
            },
          }),
        },
        JudgeAnswered: {
          actions: assign({
            matches: ({ context, event }) => {
              const e = event as Ev<'JudgeAnswered'>;
              return withMatch(context.matches, e.match, (m) => ({ ...m, answers: [...m.answers, { attempt: e.attempt, outcome: e.outcome, valid: e.valid, ...(e.problem ? { problem: e.problem } : {}) }] }));
            },
          }),
        },
        MatchDecided: {
          actions: assign({
            matches: ({ context, event }) => {
              const e = event as Ev<'MatchDecided'>;
              const known = context.matches.some((m) => m.match === e.match);
              const base = known ? context.matches : [...context.matches, { match: e.match, round: e.round, labels: e.labels, judgeSessions: [], answers: [], verdict: null }];
              return withMatch(base, e.match, (m) => ({ ...m, verdict: e.verdict }));
            },
          }),
        },
        OrchestrationEnded: { target: 'ended', actions: ['end', emit({ type: 'effect.ended' })] },
      },
    },
    ended: {
      on: {
        CandidateEnded: { actions: 'endCandidate' },
        OrchestrationResumed: [
          {
            guard: ({ event }) => (event as Ev<'OrchestrationResumed'>).labels.length > 0,
            target: 'running',
            actions: [
              'resume',
              emit(({ event }) => ({ type: 'effect.runCandidates' as const, labels: (event as Ev<'OrchestrationResumed'>).labels })),
            ],
          },
          { target: 'judging', actions: ['resume', assign({ status: 'judging' }), emit({ type: 'effect.judge' })] },
        ],
      },
    },
    deleted: { type: 'final' },
  },
});

export const orchestrationFoldedTypes: ReadonlySet<string> = new Set([
  'OrchestrationStarted',
  'CandidateEnded',
  'RaceWon',
  'JuryConvened',
  'JudgeRequested',
  'JudgeAnswered',
  'MatchDecided',
  'VerdictReached',
  'CandidateStarted',
  'OrchestrationEnded',
  'OrchestrationResumed',
  'OrchestrationDeleted',
]);
