// The pieces of the webhook tests: payloads as GitLab and GitHub send them (for a bare repository of
// test/repos/fixtures.ts: a merge request of `develop` into `main`), real signatures, a sender, and fake GitLab and
// GitHub APIs (HTTP servers that keep what was posted and list it back, as the real ones do).
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BareRepo } from '../repos/fixtures.js';

export const SECRET = 'webhook-secret-0123456789abcdef';
export const GITLAB_TOKEN = 'glpat-never-log-this-0123456789';
export const GITHUB_TOKEN = 'ghp_never_log_this_0123456789abcdef';

export function gitlabMergeRequest(repo: BareRepo, o: { action?: string; head?: string; oldrev?: string | null; iid?: number; title?: string } = {}) {
  const action = o.action ?? 'open';
  return {
    object_kind: 'merge_request',
    event_type: 'merge_request',
    project: { id: 7, path_with_namespace: 'acme/tool', git_http_url: repo.url, web_url: 'http://gitlab.invalid/acme/tool' },
    object_attributes: {
      iid: o.iid ?? 3,
      title: o.title ?? 'Add develop notes',
      description: 'Adds develop.txt with the notes of the develop branch.',
      url: 'http://gitlab.invalid/acme/tool/-/merge_requests/3',
      source_branch: 'develop',
      target_branch: 'main',
      action,
      state: 'opened',
      ...(o.oldrev !== undefined && o.oldrev !== null ? { oldrev: o.oldrev } : {}),
      last_commit: { id: o.head ?? repo.heads.develop, message: 'develop work' },
      source: { git_http_url: repo.url },
      target: { git_http_url: repo.url },
    },
  };
}

export function githubPullRequest(repo: BareRepo, o: { action?: string; head?: string; number?: number } = {}) {
  const r = { full_name: 'acme/tool', clone_url: repo.url };
  return {
    action: o.action ?? 'opened',
    number: o.number ?? 5,
    pull_request: {
      number: o.number ?? 5,
      title: 'Add develop notes',
      body: 'Adds develop.txt.',
      html_url: 'https://github.invalid/acme/tool/pull/5',
      head: { ref: 'develop', sha: o.head ?? repo.heads.develop, repo: r },
      base: { ref: 'main', sha: repo.heads.main, repo: r },
    },
    repository: r,
  };
}

export function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface Sent {
  status: number;
  body: any;
}

/** POST a delivery to the webhook route: `body` is sent byte for byte as given (a string) or as JSON. */
export async function deliver(url: string, headers: Record<string, string>, body: unknown): Promise<Sent> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const r = await fetch(`${url}/api/v1/webhooks/git`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: text });
  const answer = await r.text();
  return { status: r.status, body: answer ? JSON.parse(answer) : undefined };
}

export const gitlabHeaders = (o: { token?: string; uuid?: string } = {}) => ({
  'x-gitlab-event': 'Merge Request Hook',
  'x-gitlab-token': o.token ?? SECRET,
  'x-gitlab-event-uuid': o.uuid ?? randomUUID(),
});

export function githubHeaders(body: string, o: { event?: string; delivery?: string; signature?: string } = {}) {
  return { 'x-github-event': o.event ?? 'pull_request', 'x-github-delivery': o.delivery ?? randomUUID(), 'x-hub-signature-256': o.signature ?? sign(body) };
}

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

export interface FakeApi {
  url: string;
  posts: Recorded[];
  /** every request, GETs included */
  requests: Recorded[];
  /** POSTs are recorded and kept but not answered until released (a post in flight when the gateway dies) */
  holdPosts(): void;
  close(): Promise<void>;
}

/** A fake GitLab (notes) or GitHub (reviews) API: POST adds an item, GET lists the items of that path. */
export async function startFakeApi(token: string, authHeader: 'private-token' | 'authorization'): Promise<FakeApi> {
  const posts: Recorded[] = [];
  const requests: Recorded[] = [];
  const items = new Map<string, { id: number; body: string }[]>();
  let hold = false;
  let nextId = 100;
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      const rec: Recorded = { method: req.method ?? '', path, headers: req.headers, body: raw ? JSON.parse(raw) : undefined };
      requests.push(rec);
      const expected = authHeader === 'private-token' ? token : `Bearer ${token}`;
      if (req.headers[authHeader] !== expected) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"401 Unauthorized"}');
        return;
      }
      const list = items.get(path) ?? [];
      items.set(path, list);
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(list));
        return;
      }
      posts.push(rec);
      const item = { id: nextId++, body: String(rec.body?.body ?? '') };
      list.push(item);
      if (hold) return; // recorded and kept, never answered
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(item));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts,
    requests,
    holdPosts: () => void (hold = true),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
