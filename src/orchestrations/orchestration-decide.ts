// The orchestration's commands and its one pure decider: given the folded state, the events a command appends (or
// a rejection). Ending a candidate is where the strategies differ: a race is won by the first end_turn, and when the
// last candidate ends the orchestration ends (parallel, race) or the jury convenes.
import type { SnapshotFrom } from 'xstate';
import type { Decider } from '../actors/actor-kind.js';
import type { NewEvent } from '../store/types.js';
import type { CandidateEndedData, VerdictData } from '../events/orchestration-events.js';
import type { orchestrationMachine } from './orchestration-machine.js';
import {
  candidate,
  failureReason,
  interruptedLabels,
  isEnded,
  running,
  succeeded,
  successfulLabels,
  type CandidateState,
  type OrchestrationContext,
} from './orchestration-state.js';

export type JudgeFact =
  | { type: 'JudgeRequested'; data: { match: number; round: number; labels: string[]; session_id: string; attempt: number } }
  | { type: 'JudgeAnswered'; data: { match: number; attempt: number; outcome: string; text: string; valid: boolean; problem?: string } }
  | { type: 'MatchDecided'; data: { match: number; round: number; labels: string[]; verdict: VerdictData } };

export type OrchestrationCommand =
  | { type: 'linkCandidate'; label: string; session_id: string }
  | { type: 'endCandidate'; result: CandidateEndedData }
  | { type: 'recordJudge'; fact: JudgeFact }
  | { type: 'finishJury'; verdict: VerdictData }
  | { type: 'interrupt' }
  | { type: 'resume' }
  | { type: 'delete' };

type State = SnapshotFrom<typeof orchestrationMachine>;

/** Above this many successful candidates, a jury judges in a bracket of pairs unless the request said otherwise. */
export const BRACKET_ABOVE = 3;

export const decideOrchestration: Decider<typeof orchestrationMachine, OrchestrationCommand> = (command, state: State) => {
  const c = state.context;
  if (c.status === 'deleted') return { reject: 'orchestration_not_found', message: `orchestration '${c.id}' was deleted` };
  switch (command.type) {
    case 'linkCandidate': {
      const x = candidate(c, command.label);
      if (!x || x.status !== 'running') return { reject: 'candidate_not_running', message: `candidate ${command.label} is not running` };
      return [{ type: 'CandidateStarted', data: { label: command.label, session_id: command.session_id } }];
    }
    case 'endCandidate':
      return endCandidate(c, command.result);
    case 'recordJudge':
      if (c.status !== 'judging') return { reject: 'not_judging', message: `orchestration '${c.id}' is ${c.status}` };
      return [command.fact];
    case 'finishJury':
      if (c.status !== 'judging') return { reject: 'not_judging', message: `orchestration '${c.id}' is ${c.status}` };
      return verdictAndEnd(command.verdict);
    case 'interrupt':
      return interrupt(c);
    case 'resume': {
      if (c.status !== 'interrupted') return { reject: 'not_interrupted', message: `orchestration '${c.id}' is ${c.status}: only an interrupted orchestration resumes` };
      const labels = interruptedLabels(c);
      return [{ type: 'OrchestrationResumed', data: { labels, judge: labels.length === 0 && c.strategy === 'jury' } }];
    }
    case 'delete':
      return [{ type: 'OrchestrationDeleted', data: {} }];
  }
};

function endCandidate(c: OrchestrationContext, result: CandidateEndedData): NewEvent[] {
  const before = candidate(c, result.label);
  if (!before || before.status !== 'running') return []; // already ended (interrupted, cancelled): nothing to add
  const events: NewEvent[] = [{ type: 'CandidateEnded', data: result }];
  const after: CandidateState[] = c.candidates.map((x) => (x.label === result.label ? { ...x, status: result.status, result } : x));
  let raceWinner = c.raceWinner;
  const ended = after.find((x) => x.label === result.label)!;
  if (c.strategy === 'race' && raceWinner === null && succeeded(ended)) {
    raceWinner = ended.label;
    const cancelled = after.filter((x) => x.status === 'running').map((x) => x.label);
    events.push({ type: 'RaceWon', data: { label: ended.label, cancelled } });
  }
  if (after.some((x) => x.status === 'running')) return events;
  const done: OrchestrationContext = { ...c, candidates: after, raceWinner };
  events.push(...whenAllEnded(done));
  return events;
}

function verdictAndEnd(verdict: VerdictData): NewEvent[] {
  return [
    { type: 'VerdictReached', data: verdict },
    { type: 'OrchestrationEnded', data: { status: 'completed', winner: verdict.winner, verdict } },
  ];
}

/** The last candidate ended: the orchestration's end (parallel, race) or the jury (two or more to compare). */
function whenAllEnded(c: OrchestrationContext): NewEvent[] {
  const failed = [{ type: 'OrchestrationEnded', data: { status: 'failed', winner: null, reason: `no candidate succeeded: ${failureReason(c)}` } }];
  switch (c.strategy) {
    case 'parallel':
      return c.candidates.some((x) => x.status === 'completed') ? [{ type: 'OrchestrationEnded', data: { status: 'completed', winner: null } }] : failed;
    case 'race':
      return c.raceWinner !== null ? [{ type: 'OrchestrationEnded', data: { status: 'completed', winner: c.raceWinner } }] : failed;
    case 'jury': {
      const labels = successfulLabels(c);
      if (labels.length === 0) return failed;
      if (labels.length === 1) {
        return verdictAndEnd({ winner: labels[0]!, scores: {}, rationale: '', fallback: true, reason: 'only one candidate succeeded: there was nothing to compare' });
      }
      const judge_mode = c.judgeMode ?? (labels.length > BRACKET_ABOVE ? 'bracket' : 'all');
      return [{ type: 'JuryConvened', data: { labels, judge_mode } }];
    }
  }
}

/** At boot: what was running when the gateway stopped is interrupted, and so is the orchestration (saying which). */
function interrupt(c: OrchestrationContext): NewEvent[] {
  if (isEnded(c)) return [];
  const stopped = running(c);
  // a race already won was only cancelling its losers: it is complete
  const raceDone = c.strategy === 'race' && c.raceWinner !== null;
  const events: NewEvent[] = stopped.map((x) => ({
    type: 'CandidateEnded',
    data: {
      label: x.label,
      status: raceDone ? 'cancelled' : 'interrupted',
      stop_reason: raceDone ? 'cancelled' : null,
      text: '',
      duration_ms: 0,
      error: raceDone ? null : { code: 'interrupted', message: 'the gateway stopped while this candidate ran' },
    },
  }));
  if (raceDone) {
    events.push({ type: 'OrchestrationEnded', data: { status: 'completed', winner: c.raceWinner } });
    return events;
  }
  const reason =
    stopped.length > 0
      ? `the gateway stopped while candidates ${stopped.map((x) => x.label).join(', ')} ran`
      : 'the gateway stopped while the judge was deciding';
  events.push({ type: 'OrchestrationEnded', data: { status: 'interrupted', winner: null, reason } });
  return events;
}
