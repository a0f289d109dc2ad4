// acp_orchestrate: POST /api/v1/orchestrate as an MCP tool. The answer is the orchestration's final body, as JSON text
// and as structured content. A caller that gave a progress token gets a notification per step of the orchestration
// (each candidate's start and end, the jury, each judge prompt and match, the verdict), read from its log in order.
import { z } from 'zod';
import type { ProgressToken } from '@modelcontextprotocol/sdk/types.js';
import type { GatewayServices } from '../http/services.js';
import type { EventStore, RecordedEvent } from '../store/types.js';
import { defineTool, failure, json, textResult, type McpTool, type ToolExtra } from './tool-kit.js';
import { scopeFor } from '../http/scopes.js';
import { orchestrateSchema } from '../orchestrations/orchestrate-request.js';

const input = orchestrateSchema
  .omit({ messages: true })
  .extend({ message: z.string().min(1).describe('the task, sent to every candidate') })
  .strict();

export function orchestrateTool(gw: GatewayServices): McpTool {
  return defineTool({
    name: 'acp_orchestrate',
    description:
      'Run one task on several agents at once (strategy parallel: all answers; race: the first good answer, the others ' +
      'cancelled; jury: a judge agent picks the best answer). The result lists every candidate with its label, session, ' +
      'status and text, and the winner and verdict. Give a progress token to follow the candidates as they advance.',
    scope: scopeFor('orchestrate'),
    input,
    run: async (args, call) => {
      const { message, ...rest } = args;
      let progress: { close(): void; sent: () => Promise<void> } | undefined;
      try {
        const run = await gw.orchestrations.start({ ...rest, messages: [{ role: 'user', content: message }] }, call.meta);
        const token = call.extra._meta?.progressToken;
        if (token !== undefined) progress = followOrchestration(gw.store, `orchestration:${run.id}`, run.after, token, call.extra);
        const body = (await run.done) as Record<string, unknown>;
        progress?.close();
        await progress?.sent();
        return textResult(json(body), body);
      } catch (e) {
        return failure(e);
      } finally {
        progress?.close();
      }
    },
  });
}

/** One notifications/progress per step of the orchestration, in log order. */
function followOrchestration(store: EventStore, streamId: string, after: number, token: ProgressToken, extra: ToolExtra) {
  let n = 0;
  let sent: Promise<void> = Promise.resolve();
  const subscription = store.subscribe(
    after,
    (events) => {
      for (const e of events) {
        const message = progressMessage(e);
        if (message === undefined) continue;
        const params = { progressToken: token, progress: ++n, message };
        sent = sent.then(() => extra.sendNotification({ method: 'notifications/progress', params }).catch(() => undefined));
      }
    },
    { streamId },
  );
  return { close: () => subscription.close(), sent: () => sent };
}

function progressMessage(e: RecordedEvent): string | undefined {
  const d = e.data as Record<string, any>;
  switch (e.type) {
    case 'OrchestrationStarted':
      return `${d.strategy}: ${d.candidates.length} candidates started`;
    case 'CandidateStarted':
      return `candidate ${d.label}: session ${d.session_id}`;
    case 'CandidateEnded':
      return `candidate ${d.label} ${d.status}${d.error ? `: ${d.error.message}` : ''}`;
    case 'RaceWon':
      return `race won by ${d.label}`;
    case 'JuryConvened':
      return `the judge compares ${d.labels.join(', ')} (${d.judge_mode})`;
    case 'JudgeRequested':
      return `judge prompt, match ${d.match} (${d.labels.join(' vs ')}), attempt ${d.attempt}`;
    case 'MatchDecided':
      return `match ${d.match}: ${d.verdict.winner}${d.verdict.fallback ? ' (fallback)' : ''}`;
    case 'VerdictReached':
      return `verdict: ${d.winner}${d.fallback ? ` (fallback: ${d.reason})` : ''}`;
    case 'OrchestrationEnded':
      return `orchestration ${d.status}`;
    default:
      return undefined;
  }
}
