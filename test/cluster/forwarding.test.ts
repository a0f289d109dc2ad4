// Commands for an actor owned by another node are forwarded to it. A real front node (the router with its command
// routes wrapped) before a real gateway that owns the session, ownership read from real leases on PostgreSQL: the
// client's prompt, its streamed prompt (SSE through the front), its token (a wrong one is refused by the owner) and
// a DELETE go through unchanged; a read is served locally; an owner whose lease expired is adopted instead.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { LeaseManager } from '../../src/cluster/lease-manager.js';
import { forwardCommands, type CommandOwnership } from '../../src/cluster/command-routes.js';
import { FORWARDED_HEADER } from '../../src/cluster/forward.js';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import { TokenAuthenticator } from '../../src/http/auth.js';
import { HostOriginPolicy } from '../../src/http/host-origin.js';
import { silentLogger } from '../../src/log/logger.js';
import type { Route } from '../../src/http/router.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { demoAgent, says, startTestGateway, TOKEN, type TestGateway } from '../helpers/gateway.js';
import { readSse } from '../helpers/sse.js';

describe('forwarding commands to the owner', () => {
  let owner: TestGateway;
  let front: HttpServer;
  let pool: pg.Pool;
  let frontLeases: LeaseManager;
  let ownerLeases: LeaseManager;
  const served: string[] = [];
  const adopted: string[] = [];

  before(async () => {
    const url = await createTestDatabase('fwd');
    pool = new pg.Pool({ connectionString: url, max: 4 });
    owner = await startTestGateway({ agents: { demo: demoAgent([], { max_sessions: 20 }) } });
    // the owner node's leases, advertised at the real gateway's URL
    ownerLeases = new LeaseManager({ pool, nodeId: 'owner', url: owner.url, ttlMs: 60_000, heartbeatMs: 20_000 });
    await ownerLeases.open();
    frontLeases = new LeaseManager({ pool, nodeId: 'front', url: 'http://127.0.0.1:1', ttlMs: 60_000, heartbeatMs: 20_000 });
    await frontLeases.open();
    const ownership: CommandOwnership = {
      nodeId: 'front',
      holds: (key) => frontLeases.holds(key) !== undefined,
      ownerOf: (key) => frontLeases.ownerOf(key),
      adopt: async (key) => {
        adopted.push(key);
        return (await frontLeases.acquire(key)) !== undefined;
      },
    };
    // the front's own routes only say that they ran here (the owner's answers are the real gateway's)
    const here = (method: Route['method'], path: string): Route => ({
      method,
      path,
      scope: 'prompt',
      handler: (ctx) => {
        served.push(`${method} ${ctx.url}`);
        return { status: 200, json: { served_by: 'front' } };
      },
    });
    const routes = forwardCommands(
      [
        here('POST', '/api/v1/sessions/:id/prompt'),
        here('POST', '/api/v1/sessions/:id/stream'),
        here('DELETE', '/api/v1/sessions/:id'),
        here('GET', '/api/v1/sessions/:id'),
      ],
      { ownership, maxBodyBytes: 1024 * 1024 },
    );
    front = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      routes,
      deps: {
        authenticator: new TokenAuthenticator([{ name: 'test', token: TOKEN }]),
        hostOrigin: new HostOriginPolicy({ bindHost: '127.0.0.1', allowedHosts: [], allowedOrigins: [] }),
        logger: silentLogger,
      },
    });
  });

  after(async () => {
    front?.close();
    await owner?.dispose();
    await pool?.end();
  });

  async function ownedSession(): Promise<string> {
    const created = await owner.api('POST', '/api/v1/sessions', { agent: 'demo' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id: string = created.body.id;
    // the lease the owner node takes when it creates an actor
    await ownerLeases.acquire(`session:${id}`);
    return id;
  }

  const call = (method: string, path: string, body?: unknown, token = TOKEN) =>
    fetch(`${front.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('a prompt sent to the front is answered by the owner, with the owner\'s answer unchanged', async () => {
    const id = await ownedSession();
    const r = await call('POST', `/api/v1/sessions/${id}/prompt`, says('hello over there'));
    assert.equal(r.status, 200);
    const body = (await r.json()) as { stop_reason?: string; served_by?: string };
    assert.equal(body.served_by, undefined, 'not served by the front');
    assert.equal(body.stop_reason, 'end_turn');
    assert.deepEqual(served, []);
    const prompts = owner.gw.store.readStream(`session:${id}`).filter((e) => e.type === 'PromptSubmitted');
    assert.equal(prompts.length, 1, 'the prompt is in the owner\'s log');
  });

  it('a streamed prompt streams through the front (SSE), ending with the turn', async () => {
    const id = await ownedSession();
    const sse = await readSse(
      `${front.url}/api/v1/sessions/${id}/stream`,
      { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify(says('/chunks 20')) },
    );
    assert.equal(sse.status, 200);
    assert.ok(sse.frames.length > 20, `frames: ${sse.frames.length}`);
    assert.ok(sse.ended);
  });

  it('the client\'s token goes with the request: a token the owner does not know is refused by the owner', async () => {
    const id = await ownedSession();
    // the front knows this token; the owner does not
    const r = await call('POST', `/api/v1/sessions/${id}/prompt`, says('x'), 'front-only-token-0123456789');
    assert.equal(r.status, 401);
  });

  it('a DELETE is forwarded; a read is served where it arrives', async () => {
    const id = await ownedSession();
    const read = await call('GET', `/api/v1/sessions/${id}`);
    assert.deepEqual(await read.json(), { served_by: 'front' });
    const del = await call('DELETE', `/api/v1/sessions/${id}`);
    const text = await del.text();
    assert.ok(del.status < 300, `status ${del.status}: ${text}`);
    assert.doesNotMatch(text, /served_by/);
    assert.ok(owner.gw.store.readStream(`session:${id}`).some((e) => e.type === 'SessionClosed'), 'closed in the owner\'s log');
  });

  it('a request already forwarded once is never forwarded again; an expired owner is adopted here', async () => {
    const id = await ownedSession();
    const again = await fetch(`${front.url}/api/v1/sessions/${id}/prompt`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', [FORWARDED_HEADER]: 'elsewhere' },
      body: JSON.stringify(says('x')),
    });
    assert.equal(again.status, 503, 'the named owner holds a live lease: not adopted, not forwarded');
    // the owner's lease expires (its node stopped renewing): the front adopts the session and serves it
    await pool.query("UPDATE leases SET expires_at = now() - interval '1 second' WHERE key = $1", [`session:${id}`]);
    const r = await call('POST', `/api/v1/sessions/${id}/prompt`, says('x'));
    assert.deepEqual(await r.json(), { served_by: 'front' });
    assert.deepEqual(adopted.slice(-1), [`session:${id}`]);
    assert.deepEqual(frontLeases.holds(`session:${id}`), { key: `session:${id}`, epoch: 2 });
  });
});
