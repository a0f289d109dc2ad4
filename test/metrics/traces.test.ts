// Traces over OTLP: a local OTLP/HTTP receiver (a plain HTTP server decoding the JSON the exporter POSTs) gets a span
// per turn with child spans for the first update, the permission wait, the tool call and the store commits, each
// carrying the log position of the event it began with (traces-off.test.ts: without telemetry the SDK never loads).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { says, startTestGateway } from '../helpers/gateway.js';
import { eventually } from '../helpers/poll.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: { key: string; value: Record<string, unknown> }[];
  status?: { code?: number };
}

function attr(s: OtlpSpan, key: string): unknown {
  const v = s.attributes?.find((a) => a.key === key)?.value;
  if (!v) return undefined;
  if ('intValue' in v) return Number(v.intValue);
  return Object.values(v)[0];
}

async function body(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

/** An OTLP/HTTP receiver on 127.0.0.1: keeps every span of every POST to /v1/traces, and the headers that came. */
async function otlpReceiver() {
  const spans: OtlpSpan[] = [];
  const headers: IncomingMessage['headers'][] = [];
  const server = createServer(async (req, res) => {
    const text = await body(req);
    if (req.method !== 'POST' || req.url !== '/v1/traces' || !String(req.headers['content-type']).includes('json')) {
      res.writeHead(415).end();
      return;
    }
    headers.push(req.headers);
    const payload = JSON.parse(text) as { resourceSpans: { resource: unknown; scopeSpans: { spans: OtlpSpan[] }[] }[] };
    for (const rs of payload.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, spans, headers, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('traces: a span per turn, children for first update, permission wait, tool call and commits, with log positions', async (t) => {
  const otlp = await otlpReceiver();
  t.after(() => otlp.close());
  const g = await startTestGateway({
    permissions: { default: 'ask' },
    telemetry: { otlp_endpoint: otlp.url, otlp_headers: { 'x-collector-key': 'k1' }, service_name: 'aix-test' },
  });
  t.after(() => g.dispose());
  const id = (await g.api('POST', '/api/v1/sessions', { agent: 'demo' })).body.id as string;
  const asking = g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/permission edit Edit a file'));
  const approval = await eventually(async () => (await g.api('GET', '/api/v1/approvals')).body[0], 10_000, 'a pending approval');
  assert.equal((await g.api('POST', `/api/v1/approvals/${approval.approval_id}`, { decision: 'allow_once' })).status, 200);
  assert.equal((await asking).body.outcome, 'completed');
  assert.equal((await g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/fail'))).body?.outcome ?? 'failed', 'failed');
  // a turn still running when its session is closed ends with the session
  const slow = g.api('POST', `/api/v1/sessions/${id}/prompt`, says('/slow 20'));
  await eventually(async () => (await g.api('GET', `/api/v1/sessions/${id}`)).body.status === 'prompting', 10_000, 'the slow turn');
  assert.equal((await g.api('DELETE', `/api/v1/sessions/${id}`)).status < 300, true);
  await slow;
  const log = (await g.api('GET', `/api/v1/sessions/${id}/events?limit=1000`)).body.events as { position: number; type: string; data: any }[];
  await g.close(); // sends what the batch processor holds

  const turns = otlp.spans.filter((s) => s.name === 'turn');
  assert.equal(turns.length, 3, 'a span per turn');
  const third = turns.find((s) => attr(s, 'aintegrix.turn') === 3)!;
  assert.ok(['cancelled', 'session_closed'].includes(attr(third, 'aintegrix.turn.outcome') as string), 'the closed session ended its turn');
  const prompts = log.filter((e) => e.type === 'PromptSubmitted');
  const ends = log.filter((e) => e.type === 'TurnEnded');
  const [first, second] = [...turns].sort((a, b) => Number(attr(a, 'aintegrix.turn')) - Number(attr(b, 'aintegrix.turn')));
  assert.equal(attr(first!, 'aintegrix.session.id'), id);
  assert.equal(attr(first!, 'aintegrix.agent'), 'demo');
  assert.equal(attr(first!, 'aintegrix.log.position'), prompts[0]!.position, 'the turn span starts at its PromptSubmitted');
  assert.equal(attr(first!, 'aintegrix.log.end_position'), ends[0]!.position);
  assert.equal(attr(first!, 'aintegrix.turn.outcome'), 'completed');
  assert.equal(attr(second!, 'aintegrix.turn.outcome'), 'failed');
  assert.equal(second!.status?.code, 2, 'a failed turn is an error span');

  const children = (turn: OtlpSpan) => otlp.spans.filter((s) => s.parentSpanId === turn.spanId && s.traceId === turn.traceId);
  const kids = children(first!);
  const named = (name: string) => kids.filter((s) => s.name === name);
  const byPosition = new Map(log.map((e) => [e.position, e]));
  const firstUpdate = named('agent.first_update');
  assert.equal(firstUpdate.length, 1);
  assert.equal(byPosition.get(attr(firstUpdate[0]!, 'aintegrix.log.end_position') as number)?.data.msg.method, 'session/update');
  const wait = named('permission.wait');
  assert.equal(wait.length, 1);
  assert.equal(attr(wait[0]!, 'aintegrix.approval.id'), approval.approval_id);
  assert.equal(attr(wait[0]!, 'aintegrix.approval.decision'), 'allow_once');
  assert.equal(byPosition.get(attr(wait[0]!, 'aintegrix.log.position') as number)?.type, 'PermissionRequested');
  assert.equal(byPosition.get(attr(wait[0]!, 'aintegrix.log.end_position') as number)?.type, 'PermissionDecided');
  const tools = named('tool_call');
  assert.equal(tools.length, 1);
  assert.equal(attr(tools[0]!, 'aintegrix.tool.status'), 'completed');
  assert.equal(byPosition.get(attr(tools[0]!, 'aintegrix.log.position') as number)?.data.msg.params.update.sessionUpdate, 'tool_call');
  const commits = named('store.commit');
  assert.ok(commits.length >= 3, 'the turn was written in several commits');
  // the commits cover every event of the turn, in order, once
  const covered = commits.map((c) => [attr(c, 'aintegrix.log.position') as number, attr(c, 'aintegrix.log.end_position') as number]).sort((a, b) => a[0]! - b[0]!);
  assert.equal(covered[0]![0], prompts[0]!.position);
  assert.equal(covered.at(-1)![1], ends[0]!.position);
  const events = commits.reduce((n, c) => n + (attr(c, 'aintegrix.store.events') as number), 0);
  assert.equal(events, log.filter((e) => e.position >= prompts[0]!.position && e.position <= ends[0]!.position).length);
  for (const s of kids) {
    assert.equal(typeof attr(s, 'aintegrix.log.position'), 'number', `${s.name} carries its log position`);
    assert.ok(BigInt(s.startTimeUnixNano) >= BigInt(first!.startTimeUnixNano) && BigInt(s.endTimeUnixNano) <= BigInt(first!.endTimeUnixNano), `${s.name} lies inside its turn`);
  }
  assert.equal(otlp.headers[0]!['x-collector-key'], 'k1', 'the configured headers are sent');
});
