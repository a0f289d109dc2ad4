// Driving the SSE client process (lib/sse-clients.js) from the bench.
import type { SseResult, SseSpec } from './sse-clients.js';
import { benchScript } from './paths.js';
import { CLIENT_CPU, Child, type Tools } from './proc.js';
import { BENCH_TOKEN, promptBody } from './gateway.js';

export type { SseResult };

/** Start the SSE clients; `ready` resolves once every subscriber has its headers (subscribe mode). */
export function startSseClients(tools: Tools, spec: SseSpec): { ready: Promise<void>; result: Promise<SseResult> } {
  const child = new Child(tools, process.execPath, [benchScript('lib/sse-clients.js'), JSON.stringify(spec)], { cpu: CLIENT_CPU });
  const ready = spec.mode === 'subscribe' ? child.waitLine(/\{"ready":\d+\}/, 120_000, 'the SSE subscribers').then(() => undefined) : Promise.resolve();
  const result = child.exited.then(({ code }) => {
    if (code !== 0) throw new Error(`sse-clients failed (${code}): ${child.stderr.slice(-2000)}`);
    return child.lastJson<SseResult>();
  });
  ready.catch(() => undefined);
  return { ready, result };
}

/** One SSE prompt stream (`POST /sessions/{id}/stream`), counting session_update frames until turn_complete. */
export function streamTurn(tools: Tools, url: string, sessionId: string, text: string): Promise<SseResult> {
  return startSseClients(tools, {
    url,
    mode: 'prompt',
    method: 'POST',
    path: `/api/v1/sessions/${sessionId}/stream`,
    headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify(promptBody(text)),
    countMarker: 'event: session_update',
    endMarkers: ['event: turn_complete', 'event: error'],
  }).result;
}
