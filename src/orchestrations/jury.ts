// The jury (the effect.judge handler): the judge compares the successful answers, in one prompt (judge_mode all)
// or in a bracket of pairs whose winners meet in the next round (bracket). Each match runs in a judge session of
// its own: the judge prompt, at most one corrective re-prompt in the same session, then the deterministic fallback
// (the first successful candidate of the match in request order) when the judge fails, times out or still answers
// no valid verdict. Every prompt, answer and match is recorded; a match already decided (before a restart) is
// taken from the log, never asked again.
import type { EventMeta } from '../store/types.js';
import type { Logger } from '../log/logger.js';
import type { VerdictData } from '../events/orchestration-events.js';
import type { OrchestrationActor } from './orchestration-kind.js';
import type { JudgeFact } from './orchestration-decide.js';
import { candidate, fallbackWinner, type OrchestrationContext } from './orchestration-state.js';
import { correctivePrompt, judgePrompt, taskText } from './judge-prompt.js';
import { parseVerdict } from './verdict.js';
import type { StepSessions } from '../multiagent/session-port.js';
import type { TurnResult } from '../sessions/turn-ledger.js';

export interface JuryDeps {
  sessions(): StepSessions;
  logger: Logger;
  metaOf(actor: OrchestrationActor): EventMeta;
  stopping(): boolean;
}

export async function runJury(actor: OrchestrationActor, deps: JuryDeps): Promise<void> {
  const ctx = actor.snapshot().context;
  const labels = ctx.juryLabels ?? [];
  // resumed after a restart: a judge session of a match left undecided is done with (the match is asked anew)
  const stale = ctx.matches.filter((m) => m.verdict === null).flatMap((m) => m.judgeSessions);
  await Promise.all(stale.map((s) => deps.sessions().close(s, deps.metaOf(actor), 'orchestration_resumed').catch(() => undefined)));
  let final: VerdictData;
  if (ctx.judgeMode === 'bracket') {
    let round = 1;
    let match = 1;
    let field = labels;
    const scores: Record<string, number> = {};
    let last: VerdictData | undefined;
    while (field.length > 1) {
      const next: string[] = [];
      for (let i = 0; i < field.length; i += 2) {
        if (i + 1 >= field.length) {
          next.push(field[i]!); // a bye: the odd one out meets the winners of the next round
          continue;
        }
        last = await decideMatch(actor, deps, match++, round, [field[i]!, field[i + 1]!]);
        Object.assign(scores, last.scores);
        next.push(last.winner);
      }
      field = next;
      round++;
    }
    final = { ...last!, scores };
  } else {
    final = await decideMatch(actor, deps, 1, 1, labels);
  }
  if (deps.stopping()) return;
  const r = await actor.execute({ type: 'finishJury', verdict: final });
  if (!r.ok && r.reason !== 'orchestration_not_found') deps.logger.warn('jury end refused', { orchestration: actor.id, reason: r.reason });
}

async function decideMatch(actor: OrchestrationActor, deps: JuryDeps, match: number, round: number, labels: string[]): Promise<VerdictData> {
  const known = actor.snapshot().context.matches.find((m) => m.match === match && m.verdict !== null);
  if (known) return known.verdict!;
  const verdict = await askJudge(actor, deps, match, round, labels);
  await record(actor, { type: 'MatchDecided', data: { match, round, labels, verdict } });
  return verdict;
}

async function askJudge(actor: OrchestrationActor, deps: JuryDeps, match: number, round: number, labels: string[]): Promise<VerdictData> {
  const ctx = actor.snapshot().context;
  const meta = { ...deps.metaOf(actor), orchestration_match: match };
  const sessions = deps.sessions();
  const fallback = (reason: string): VerdictData => ({ winner: fallbackWinner(ctx, labels) ?? labels[0]!, scores: {}, rationale: '', fallback: true, reason });
  let session: string;
  try {
    session = (await sessions.create({ agent: ctx.judge!, origin: 'orchestration' }, meta)).id;
  } catch (e) {
    return fallback(`the judge session could not start: ${(e as Error).message}`);
  }
  try {
    const answers = labels.map((label) => ({ label, text: candidate(ctx, label)?.result?.text ?? '' }));
    let text = judgePrompt(taskText(ctx.messages), answers);
    for (let attempt = 1; attempt <= 2; attempt++) {
      await record(actor, { type: 'JudgeRequested', data: { match, round, labels, session_id: session, attempt } });
      const answer = await ask(sessions, ctx, session, text, meta);
      if (deps.stopping()) throw new Error('the gateway is stopping');
      if (answer.failed) {
        await record(actor, { type: 'JudgeAnswered', data: { match, attempt, outcome: answer.outcome, text: answer.text, valid: false, problem: answer.failed } });
        return fallback(`the judge failed: ${answer.failed}`);
      }
      const parsed = parseVerdict(answer.text, labels);
      await record(actor, {
        type: 'JudgeAnswered',
        data: { match, attempt, outcome: answer.outcome, text: answer.text, valid: parsed.ok, ...(parsed.ok ? {} : { problem: parsed.problem }) },
      });
      if (parsed.ok) return { ...parsed.verdict, fallback: false };
      if (attempt === 2) return fallback(`the judge's verdict was invalid twice: ${parsed.problem}`);
      text = correctivePrompt(parsed.problem, labels);
    }
    return fallback('unreachable');
  } finally {
    await sessions.close(session, meta, 'judged').catch(() => undefined);
  }
}

async function ask(sessions: StepSessions, ctx: OrchestrationContext, session: string, text: string, meta: EventMeta): Promise<{ text: string; outcome: string; failed?: string }> {
  try {
    const turn = await sessions.prompt(session, text, meta);
    const r = await withTimeout(turn.result, ctx.timeoutSecs, () => sessions.cancel(session, meta));
    if (r.timedOut) return { text: r.turn.text, outcome: 'timeout', failed: `no verdict within ${ctx.timeoutSecs}s (timeout_secs)` };
    if (r.turn.outcome !== 'completed') return { text: r.turn.text, outcome: r.turn.outcome, failed: r.turn.error?.message ?? r.turn.outcome };
    return { text: r.turn.text, outcome: r.turn.outcome };
  } catch (e) {
    return { text: '', outcome: 'failed', failed: (e as Error).message };
  }
}

async function record(actor: OrchestrationActor, fact: JudgeFact): Promise<void> {
  const r = await actor.execute({ type: 'recordJudge', fact });
  if (!r.ok) throw new Error(`the jury of ${actor.id} stopped: ${r.message ?? r.reason}`);
}

/** The turn's result; after `secs`, `onTimeout` (a cancel) runs and the turn's end is still awaited. */
async function withTimeout(result: Promise<TurnResult>, secs: number | null, onTimeout: () => Promise<unknown>): Promise<{ turn: TurnResult; timedOut: boolean }> {
  if (secs === null) return { turn: await result, timedOut: false };
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    onTimeout().catch(() => undefined);
  }, secs * 1000);
  try {
    const turn = await result;
    return { turn, timedOut: timedOut && turn.outcome !== 'completed' };
  } finally {
    clearTimeout(timer);
  }
}
