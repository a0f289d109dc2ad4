// How a POST that starts (or resumes) a multi-agent run is answered: with the final JSON body once the run has ended,
// or, with `Accept: text/event-stream`, as a stream of the run: the actor's own events (named by the kind) and the
// session updates of the sessions it linked (a step's, a candidate's), each with its log position as `id`, ending
// with the kind's final event. The stream follows the log (subscribe from the position before the run's first new
// event), so what the client reads is exactly what was recorded, in the recorded order.
import type { RecordedEvent } from '../store/types.js';
import type { GatewayServices } from '../http/services.js';
import type { RequestContext } from '../http/request-context.js';
import type { Reply } from '../http/router.js';
import { SseResponse } from '../http/sse.js';
import { clientMessage } from '../streams/client-messages.js';
import { sseFrame } from '../streams/sse-frame.js';

/** A run that was started: its actor's id, where its new events begin, and its final JSON body. */
export interface ActorRun {
  id: string;
  /** log position just before the run's first new event */
  after: number;
  /** the final body (the same object GET /<collection>/{id} answers once the run has ended) */
  done: Promise<unknown>;
}

export interface ActorSseFormat {
  /** the SSE event for one event of the actor's own stream, or undefined when clients do not see it */
  frame(e: RecordedEvent): { event: string; data: unknown } | undefined;
  /** the stream ends after this event */
  isFinal(e: RecordedEvent): boolean;
  /**
   * an actor event that links a session to the run, the label fields put on that session's updates, and the SSE
   * event name of its updates when it is not `updateEvent` (an orchestration's judge sessions: judge_update)
   */
  linkOf(e: RecordedEvent): { session_id: string; label: Record<string, unknown>; event?: string } | undefined;
  /** the SSE event name of a linked session's update ('step_update', 'candidate_update') */
  updateEvent: string;
}

export function wantsEventStream(ctx: RequestContext): boolean {
  return (ctx.headers['accept'] ?? '').includes('text/event-stream');
}

/** Answer a started run: JSON 200 when it ends, or its SSE stream. */
export async function answerRun(gw: GatewayServices, ctx: RequestContext, streamId: string, run: ActorRun, format: ActorSseFormat): Promise<Reply | undefined> {
  if (!wantsEventStream(ctx)) return { status: 200, json: await run.done };
  if (!ctx.open) return undefined; // the run goes on; the client can follow it at /events
  streamRun(gw, ctx, streamId, run, format);
  return undefined;
}

function streamRun(gw: GatewayServices, ctx: RequestContext, streamId: string, run: ActorRun, format: ActorSseFormat): void {
  const sse = new SseResponse(ctx);
  const linked = new Map<string, { label: Record<string, unknown>; event: string }>();
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    subscription.close();
    sse.end();
  };
  const subscription = gw.store.subscribe(run.after, (events) => {
    if (finished) return;
    const frames: string[] = [];
    let final = false;
    for (const e of events) {
      if (e.streamId === streamId) {
        const link = format.linkOf(e);
        if (link) linked.set(`session:${link.session_id}`, { label: { ...link.label, session_id: link.session_id }, event: link.event ?? format.updateEvent });
        const f = format.frame(e);
        if (f) frames.push(sseFrame(e.position, JSON.stringify(f.data), f.event));
        if (format.isFinal(e)) {
          final = true;
          break;
        }
        continue;
      }
      const link = linked.get(e.streamId);
      if (link === undefined || e.type !== 'AcpMessage') continue;
      const m = clientMessage(e);
      if (m?.kind === 'session_update') frames.push(sseFrame(e.position, JSON.stringify({ ...link.label, update: m.data }), link.event));
    }
    if (frames.length > 0) sse.write(frames);
    if (final) finish();
  });
  ctx.onAbort(() => {
    finished = true;
    subscription.close(); // the run goes on; the client can follow it at /events
  });
  // a run that failed outside its actor (it never records its end): say so rather than leave the client waiting
  run.done.catch((e: Error) => {
    if (finished) return;
    sse.write([sseFrame(undefined, JSON.stringify({ code: 'internal', message: e.message }), 'error')]);
    finish();
  });
}
