// The git token reaches the git host as an Authorization header and nowhere else: not the process list while git
// runs, not the error answered when the host refuses, not the log (the database and the logger), not another host,
// not the agent's environment. A host that never answers is cut off at git.clone_timeout_secs: 504 clone_timeout,
// nothing left on disk. The host is a local HTTP server that records what it gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../src/log/logger.js';
import { startTestGateway } from '../helpers/gateway.js';
import { makeBareRepo } from './fixtures.js';
import { eventually } from '../helpers/poll.js';

const GIT_TOKEN = 'ghp_SECRETtoken0123456789abcdefXYZ';
const BASIC = Buffer.from(`x-access-token:${GIT_TOKEN}`).toString('base64');

function processCommandLines(): string {
  let all = '';
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      all += readFileSync(`/proc/${pid}/cmdline`, 'latin1') + '\n';
    } catch {
      /* exited */
    }
  }
  return all;
}

test('git credentials: a header to the configured host only, never in argv, errors, the log or the agent env; timeout', async (t) => {
  const seen: { url: string; host: string; authorization?: string }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    seen.push({ url: req.url ?? '', host: req.headers.host ?? '', authorization: req.headers.authorization });
    if (req.url?.includes('/hang')) return; // never answers
    if (req.url?.includes('/broken')) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`server error echoing ${req.headers.authorization}`);
      return;
    }
    res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' }).end('denied');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const port = (server.address() as AddressInfo).port;
  const repo = makeBareRepo();
  t.after(() => repo.remove());
  const logLines: string[] = [];
  const g = await startTestGateway({
    git: { base_url: `http://127.0.0.1:${port}`, token: GIT_TOKEN, clone_timeout_secs: 2, allow_file_urls: true },
    agents: { demo: { env: { LEAKED_GIT_TOKEN: GIT_TOKEN } } },
    logger: createLogger({ level: 'debug', write: (l) => void logLines.push(l) }),
  });
  t.after(() => g.dispose());

  // a host that never answers: while git waits, the token is in no process's argv; then 504, nothing left
  const pending = g.api('POST', '/api/v1/sessions', { agent: 'demo', repo: 'acme/hang' });
  await eventually(() => seen.some((s) => s.url.includes('/hang')), 10000, 'git reached the hanging host');
  const argv = processCommandLines();
  assert.ok(argv.includes('acme/hang.git'), 'git is running');
  assert.ok(!argv.includes(GIT_TOKEN) && !argv.includes(BASIC), 'the token is in no command line');
  const hung = await pending;
  assert.equal(hung.status, 504, JSON.stringify(hung.body));
  assert.equal(hung.body.error.code, 'clone_timeout');
  assert.equal(seen.find((s) => s.url.includes('/hang'))!.authorization, `Basic ${BASIC}`, 'the token arrived as a header');

  // the host refuses (401) or fails (500, echoing the header): 502 clone_failed, the token nowhere in the answer
  for (const name of ['acme/private', 'acme/broken']) {
    const r = await g.api('POST', '/api/v1/sessions', { agent: 'demo', repo: name });
    assert.equal(r.status, 502, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'clone_failed');
    const text = JSON.stringify(r.body);
    assert.ok(!text.includes(GIT_TOKEN) && !text.includes(BASIC), `no token in ${text}`);
  }
  assert.ok(seen.filter((s) => s.url.includes('/private')).every((s) => s.authorization === `Basic ${BASIC}`));

  // another host (same server, other name) gets no token
  const other = await g.api('POST', '/api/v1/sessions', { agent: 'demo', repo: `http://localhost:${port}/acme/other.git` });
  assert.equal(other.status, 502);
  const toOther = seen.filter((s) => s.url.includes('/other'));
  assert.ok(toOther.length > 0 && toOther.every((s) => s.authorization === undefined), JSON.stringify(toOther));

  // a session that works: its agent's environment holds no token (the configured copy is dropped)
  const ok = await g.api('POST', '/api/v1/sessions', { agent: 'demo', repo: repo.url });
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  const attached = await g.api('GET', `/api/v1/sessions/${ok.body.id}/events?type=AgentAttached`);
  const pid = attached.body.events[0].data.pid as number;
  const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
  assert.ok(environ.length > 0);
  assert.ok(!environ.includes(GIT_TOKEN) && !environ.includes(BASIC), 'the agent environment holds no token');

  // nothing on disk from the failed clones; the token in neither the log nor the database
  const left = readdirSync(g.gw.config.workspaces.dir);
  assert.equal(left.length, 1, `only the working session's clone is left: ${left}`);
  await g.close();
  const log = logLines.join('');
  assert.ok(!log.includes(GIT_TOKEN) && !log.includes(BASIC), 'no token in the log lines');
  for (const f of [g.gw.config.store.path, `${g.gw.config.store.path}-wal`]) {
    if (!existsSync(f)) continue;
    const bytes = readFileSync(f, 'latin1');
    assert.ok(!bytes.includes(GIT_TOKEN) && !bytes.includes(BASIC), `no token in ${f}`);
  }
});
