// The audit API on a gateway with real sessions: verify, the NDJSON export (format, order, filters, bad queries),
// an export an auditor can re-verify from its lines alone, and "who did what": every command event names the
// token (never its text), the request and the client address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OTHER_TOKEN, TOKEN, says, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { assertIncreasing, call, exportRest, firstBadLine, parseNdjson, type ExportLineJson } from './helpers.js';
import { eventually } from '../helpers/poll.js';

const LEAK_CANARY = 'never-leak-this-key-0123456789'; // the gateway's AINTEGRIX_API_KEY in startTestGateway

async function newSession(g: TestGateway, requestId: string): Promise<string> {
  const r = await call(g, 'POST', '/api/v1/sessions', requestId, { agent: 'demo' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id as string;
}

async function fullExport(g: TestGateway): Promise<{ text: string; lines: ExportLineJson[] }> {
  const r = await exportRest(g);
  assert.equal(r.status, 200);
  return { text: r.text, lines: parseNdjson(r.text) };
}

test('audit over REST on a gateway with real sessions', async (t) => {
  const g = await startTestGateway({ permissions: { default: 'ask' } });
  t.after(() => g.dispose());

  // Commands over REST, each with a request id the test chose, so the events can be traced back to them.
  const a = await newSession(g, 'req-create-a');
  const b = await newSession(g, 'req-create-b');
  assert.equal((await call(g, 'POST', `/api/v1/sessions/${a}/prompt`, 'req-prompt-a1', says('hello audit'))).status, 200);
  assert.equal((await call(g, 'POST', `/api/v1/sessions/${b}/prompt`, 'req-prompt-b1', says('/chunks 3'))).status, 200);
  // a cancelled turn
  const slow = call(g, 'POST', `/api/v1/sessions/${a}/prompt`, 'req-prompt-slow', says('/slow 10'));
  await eventually(async () => (await g.api('GET', `/api/v1/sessions/${a}`)).body.status === 'prompting', 5000, 'the slow turn');
  assert.deepEqual((await call(g, 'POST', `/api/v1/sessions/${a}/cancel`, 'req-cancel-a', {})).body.cancelled, true);
  assert.equal((await slow).body.stop_reason, 'cancelled');
  // a permission decided by a person
  const asking = call(g, 'POST', `/api/v1/sessions/${b}/prompt`, 'req-prompt-perm', says('/permission execute make build'));
  const pending = await eventually(async () => (await g.api('GET', '/api/v1/approvals')).body[0], 5000, 'a pending approval');
  assert.equal((await call(g, 'POST', `/api/v1/approvals/${pending.approval_id}`, 'req-decide-b', { decision: 'allow_once' })).status, 200);
  assert.equal((await asking).body.text, 'permission: selected allow');
  assert.equal((await call(g, 'DELETE', `/api/v1/sessions/${b}`, 'req-close-b')).status, 204);

  await t.test('verify: the chain of the whole log is intact', async () => {
    const r = await g.api('GET', '/api/v1/audit/verify');
    assert.equal(r.status, 200);
    const head = g.gw.store.head();
    assert.deepEqual(r.body, {
      ok: true,
      checked: head.position,
      head: `${head.position}:${head.hash}`,
      checkpoints: { count: 0, last_position: null, mac: 'verified' }, // fewer events than a checkpoint waits for
    });
    assert.ok(r.body.checked > 20, 'the log has real events');
    assert.equal((await g.api('GET', '/api/v1/audit/verify', undefined, { token: null })).status, 401);
    assert.equal((await g.api('GET', '/api/v1/audit/verify?deep=1')).status, 400);
  });

  await t.test('export: NDJSON, one event per line in position order, with prev_hash and hash', async () => {
    const r = await exportRest(g);
    assert.equal(r.status, 200);
    assert.equal(r.contentType, 'application/x-ndjson');
    const lines = parseNdjson(r.text);
    assertIncreasing(lines);
    assert.deepEqual(lines.map((l) => l.position), Array.from({ length: lines.length }, (_, i) => i + 1));
    assert.ok(lines.length >= g.gw.store.headPosition() - 5 && lines.length <= g.gw.store.headPosition());
    // The line is the API's event view plus the two hashes: compare with the stored event.
    const stored = g.gw.store.readAll(0, 1)[0]!;
    assert.deepEqual(lines[0], {
      position: 1,
      stream: stored.streamId,
      stream_position: stored.streamPosition,
      type: stored.type,
      at: new Date(stored.at).toISOString(),
      data: stored.data,
      meta: stored.meta,
      prev_hash: '0'.repeat(64),
      hash: stored.hash,
    });
    assert.equal(firstBadLine(lines), undefined, 'an auditor re-verifies the export from its lines alone');
    const types = new Set(lines.map((l) => l.type));
    for (const type of ['SessionCreated', 'PromptSubmitted', 'TurnCancelRequested', 'PermissionDecided', 'SessionClosed', 'AcpMessage']) {
      assert.ok(types.has(type), `the export has ${type}`);
    }
  });

  await t.test('export filters: stream, type, since/until (ISO or epoch ms), after, combined', async () => {
    const { lines: all } = await fullExport(g);
    const last = all[all.length - 1]!.position;
    const check = async (query: string, expected: ExportLineJson[]) => {
      const r = await exportRest(g, query);
      assert.equal(r.status, 200, `${query}: ${r.text}`);
      const got = parseNdjson(r.text).filter((l) => l.position <= last); // the gateway may have logged more since
      assertIncreasing(got);
      assert.ok(expected.length > 0 && expected.length < all.length, `${query}: the filter selects a proper part`);
      assert.deepEqual(got.map((l) => l.position), expected.map((l) => l.position), query);
    };
    await check(`stream=${encodeURIComponent(`session:${a}`)}`, all.filter((l) => l.stream === `session:${a}`));
    await check('type=PromptSubmitted', all.filter((l) => l.type === 'PromptSubmitted'));
    await check(`stream=session:${b}&type=PromptSubmitted`, all.filter((l) => l.stream === `session:${b}` && l.type === 'PromptSubmitted'));
    await check(`after=${Math.floor(last / 2)}`, all.filter((l) => l.position > Math.floor(last / 2)));
    // since inclusive, until exclusive, on real distinct times taken from the log
    const times = [...new Set(all.map((l) => Date.parse(l.at)))].sort((x, y) => x - y);
    assert.ok(times.length >= 4, 'the log spans several milliseconds');
    const since = times[1]!;
    const until = times[times.length - 2]!;
    const between = all.filter((l) => Date.parse(l.at) >= since && Date.parse(l.at) < until);
    await check(`since=${encodeURIComponent(new Date(since).toISOString())}&until=${until}`, between);
    await check(`since=${since}&until=${encodeURIComponent(new Date(until).toISOString())}`, between);
    // the same instant with an offset
    const plus2 = new Date(since + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    await check(`since=${encodeURIComponent(plus2)}`, all.filter((l) => Date.parse(l.at) >= since));
    await check(`stream=session:${a}&since=${since}&until=${until}`, between.filter((l) => l.stream === `session:${a}`));
    const none = await exportRest(g, 'type=NoSuchType');
    assert.deepEqual([none.status, none.text], [200, '']);
  });

  await t.test('an invalid export query is a 400 invalid_request naming the field', async () => {
    for (const [query, field] of [
      ['since=yesterday', 'since'],
      ['until=2025-01-01T10:00:00', 'until'], // no zone
      ['since=2025-02-30', 'since'],
      ['after=-1', 'after'],
      ['after=1.5', 'after'],
      ['type=', 'type'],
      ['steam=session:x', 'steam'],
      ['type=A&type=B', 'type'],
    ] as const) {
      const r = await g.api('GET', `/api/v1/audit/export?${query}`);
      assert.equal(r.status, 400, query);
      assert.equal(r.body.error.code, 'invalid_request', query);
      assert.match(r.body.error.message, new RegExp(`\\b${field}\\b`), `${query}: ${r.body.error.message}`);
    }
    assert.equal((await g.api('GET', '/api/v1/audit/export', undefined, { token: null })).status, 401);
  });

  await t.test('who did what: command events carry the token name, the request id and the client; never a token', async () => {
    const { text, lines } = await fullExport(g);
    // the test's ids were sent as x-request-id: the client's, kept apart from the gateway's own request id
    const byRequest = (type: string, requestId: string) => {
      const found = lines.filter((l) => l.type === type && l.meta.client_request_id === requestId);
      assert.equal(found.length, 1, `one ${type} from request ${requestId}`);
      assert.notEqual(found[0]!.meta.request_id, requestId, 'the request id is the gateway\'s');
      return found[0]!;
    };
    const commands = [
      byRequest('SessionCreated', 'req-create-a'),
      byRequest('SessionCreated', 'req-create-b'),
      byRequest('PromptSubmitted', 'req-prompt-a1'),
      byRequest('PromptSubmitted', 'req-prompt-slow'),
      byRequest('PromptSubmitted', 'req-prompt-perm'),
      byRequest('TurnCancelRequested', 'req-cancel-a'),
      byRequest('PermissionDecided', 'req-decide-b'),
      byRequest('SessionClosed', 'req-close-b'),
    ];
    for (const e of commands) {
      assert.equal(e.meta.principal, 'tester', `${e.type} names the token`);
      assert.match(String(e.meta.client), /^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1|(0000:){5}ffff:7f00:0001)$/, `${e.type} client address: ${e.meta.client}`);
    }
    assert.equal((byRequest('PermissionDecided', 'req-decide-b').data as { decided_by: string }).decided_by, 'tester');
    // Every command event of these kinds that a client caused names who and which request.
    for (const l of lines) {
      if (['SessionCreated', 'PromptSubmitted', 'SessionClosed'].includes(l.type)) {
        assert.equal(l.meta.principal, 'tester', `${l.type} at ${l.position}`);
        assert.ok(typeof l.meta.request_id === 'string' && l.meta.request_id.length > 0, `${l.type} at ${l.position} has a request id`);
      }
    }
    for (const secret of [TOKEN, OTHER_TOKEN, LEAK_CANARY]) {
      assert.ok(!text.includes(secret), `a token's text is nowhere in the log (${secret.slice(0, 10)}…)`);
    }
  });
});
