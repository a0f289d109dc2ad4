// The git webhook end to end: real signatures and tokens, a real bare repository cloned over file://, the bundled
// agent reviewing (its /review behaviour reads the changed files through the gateway), and fake GitLab and GitHub
// APIs that record the posts. Each webhook kind, duplicates, ignored kinds, bad input, the read-only policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { eventually, startTestGateway, type TestGateway, type TestGatewayOptions } from '../helpers/gateway.js';
import { makeBareRepo, type BareRepo } from '../repos/fixtures.js';
import { DEFAULT_REVIEW_TEMPLATE } from '../../src/config/webhooks-schema.js';
import {
  GITHUB_TOKEN,
  GITLAB_TOKEN,
  SECRET,
  deliver,
  githubHeaders,
  githubPullRequest,
  gitlabHeaders,
  gitlabMergeRequest,
  sign,
  startFakeApi,
  type FakeApi,
} from './fixtures.js';

const ENV = { PATH: process.env.PATH, HOME: process.env.HOME, AINTEGRIX_WEBHOOK_SECRET: SECRET };

async function withGateway(
  o: { webhooks?: Record<string, unknown>; gatewayEnv?: Record<string, string | undefined>; extra?: TestGatewayOptions },
  body: (g: TestGateway, repo: BareRepo) => Promise<void>,
): Promise<void> {
  const repo = makeBareRepo({ 'README.md': '# demo\n', 'src/app.ts': 'export const a = 1;\n' });
  const g = await startTestGateway({
    agents: { reviewer: {} },
    git: { allow_file_urls: true },
    webhooks: { review_agent: 'reviewer', prompt_template: `/review\n${DEFAULT_REVIEW_TEMPLATE}`, ...o.webhooks },
    gatewayEnv: o.gatewayEnv ?? ENV,
    ...o.extra,
  });
  try {
    await body(g, repo);
  } finally {
    await g.dispose();
    repo.remove();
  }
}

async function finished(g: TestGateway, id: string, status: string) {
  return eventually(async () => {
    const r = await g.api('GET', `/api/v1/reviews/${id}`);
    if (r.body.status === 'failed' && status !== 'failed') throw new Error(`review failed: ${JSON.stringify(r.body.error)}`);
    return r.body.status === status ? r.body : undefined;
  }, 30_000, `review ${id} ${status}`);
}

/** Every event of the log as text (to prove what is not in it). */
function wholeLog(g: TestGateway): string {
  return [...g.gw.store.iterate({})].map((e) => JSON.stringify(e)).join('\n');
}

test('GitLab: an opened merge request is cloned, reviewed by the agent and posted as a note; duplicates and ignored kinds', async () => {
  const gitlab = await startFakeApi(GITLAB_TOKEN, 'private-token');
  try {
    await withGateway({ webhooks: { gitlab: { url: gitlab.url, token: GITLAB_TOKEN } } }, async (g, repo) => {
      const headers = gitlabHeaders({ uuid: 'delivery-1' });
      const accepted = await deliver(g.url, headers, gitlabMergeRequest(repo));
      assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
      const { review_id, session_id } = accepted.body;
      assert.match(session_id, /^reviewer_/);

      const done = await finished(g, review_id, 'posted');
      assert.deepEqual(done.changed_files, ['develop.txt']);
      assert.equal(done.head, repo.heads.develop);
      assert.match(done.review, /review: 1 changed file\n- develop.txt: 1 lines read\nverdict: looks fine/);
      assert.equal(gitlab.posts.length, 1);
      const note = gitlab.posts[0]!;
      assert.equal(note.path, '/api/v4/projects/7/merge_requests/3/notes');
      assert.match(note.body.body, /develop.txt: 1 lines read/);
      assert.match(note.body.body, new RegExp(`aintegrix-review:${review_id}`));
      assert.equal(done.post.remote_id, '100');

      // the reviewing session is an ordinary session on a clone of the source branch, closed once the review is done
      // (its agent stopped, its clone removed)
      const s = await g.api('GET', `/api/v1/sessions/${session_id}`);
      assert.equal(s.status, 200);
      assert.equal(s.body.origin, 'webhook');
      const cloned = (await g.api('GET', `/api/v1/sessions/${session_id}/events?type=RepoCloned`)).body.events[0].data;
      assert.deepEqual([cloned.url, cloned.branch, cloned.head], [repo.url, 'develop', repo.heads.develop]);
      await eventually(async () => (await g.api('GET', `/api/v1/sessions/${session_id}`)).body.status === 'closed', 10_000, 'the session closed');
      await eventually(() => !existsSync(s.body.workspace_root), 10_000, 'the clone removed');
      const listed = await g.api('GET', '/api/v1/reviews');
      assert.deepEqual(listed.body.map((r: { id: string; status: string }) => [r.id, r.status]), [[review_id, 'posted']]);

      // the same delivery, and the same head under another delivery: the first review, nothing started
      const again = await deliver(g.url, headers, gitlabMergeRequest(repo));
      assert.deepEqual([again.status, again.body], [200, { duplicate: true, review_id }]);
      const sameHead = await deliver(g.url, gitlabHeaders(), gitlabMergeRequest(repo, { action: 'update', oldrev: repo.heads.main }));
      assert.deepEqual([sameHead.status, sameHead.body], [200, { duplicate: true, review_id }]);

      // kinds and actions that are not reviewed
      const noCommits = await deliver(g.url, gitlabHeaders(), gitlabMergeRequest(repo, { action: 'update', head: 'a'.repeat(40) }));
      assert.equal(noCommits.status, 202);
      assert.match(noCommits.body.ignored, /without new commits/);
      const closed = await deliver(g.url, gitlabHeaders(), gitlabMergeRequest(repo, { action: 'close' }));
      assert.equal(closed.status, 202);
      assert.match(closed.body.ignored, /'close' is not reviewed/);
      const push = await deliver(g.url, gitlabHeaders(), { object_kind: 'push', ref: 'refs/heads/main' });
      assert.equal(push.status, 202);
      assert.match(push.body.ignored, /'push' is not a merge request event/);
      assert.equal((await g.api('GET', '/api/v1/reviews')).body.length, 1);

      // the token reached the fake API only: not the log
      assert.equal(note.headers['private-token'], GITLAB_TOKEN);
      assert.ok(!wholeLog(g).includes(GITLAB_TOKEN), 'the GitLab token is not in the log');
      assert.ok(!wholeLog(g).includes(SECRET), 'the webhook secret is not in the log');
    });
  } finally {
    await gitlab.close();
  }
});

test('GitHub: a signed pull_request is reviewed and posted as a review comment; ping, synchronize, ignored events', async () => {
  const github = await startFakeApi(GITHUB_TOKEN, 'authorization');
  try {
    await withGateway({ webhooks: { github: { api_url: github.url, token: GITHUB_TOKEN } } }, async (g, repo) => {
      const ping = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
      const pong = await deliver(g.url, githubHeaders(ping, { event: 'ping' }), ping);
      assert.equal(pong.status, 200);

      const body = JSON.stringify(githubPullRequest(repo));
      const accepted = await deliver(g.url, githubHeaders(body, { delivery: 'gh-1' }), body);
      assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
      const done = await finished(g, accepted.body.review_id, 'posted');
      assert.equal(github.posts.length, 1);
      const posted = github.posts[0]!;
      assert.equal(posted.path, '/repos/acme/tool/pulls/5/reviews');
      assert.equal(posted.body.event, 'COMMENT');
      assert.equal(posted.body.commit_id, repo.heads.develop);
      assert.match(posted.body.body, /develop.txt: 1 lines read/);
      assert.equal(posted.headers.authorization, `Bearer ${GITHUB_TOKEN}`);
      assert.equal(done.provider, 'github');

      // the same delivery again: a duplicate
      const again = await deliver(g.url, githubHeaders(body, { delivery: 'gh-1' }), body);
      assert.deepEqual([again.status, again.body], [200, { duplicate: true, review_id: accepted.body.review_id }]);
      // synchronize at a new head: a new review
      const syncBody = JSON.stringify(githubPullRequest(repo, { action: 'synchronize', head: repo.heads.main }));
      const sync = await deliver(g.url, githubHeaders(syncBody), syncBody);
      assert.equal(sync.status, 202);
      assert.notEqual(sync.body.review_id, accepted.body.review_id);
      await finished(g, sync.body.review_id, 'posted');
      assert.equal(github.posts.length, 2);

      const closedBody = JSON.stringify(githubPullRequest(repo, { action: 'closed' }));
      const closed = await deliver(g.url, githubHeaders(closedBody), closedBody);
      assert.equal(closed.status, 202);
      assert.match(closed.body.ignored, /'closed' is not reviewed/);
      const issue = JSON.stringify({ action: 'opened', issue: { number: 1 } });
      const issues = await deliver(g.url, githubHeaders(issue, { event: 'issues' }), issue);
      assert.equal(issues.status, 202);
      assert.match(issues.body.ignored, /'issues' is not handled/);
      assert.ok(!wholeLog(g).includes(GITHUB_TOKEN), 'the GitHub token is not in the log');
    });
  } finally {
    await github.close();
  }
});

test('bad input: wrong or missing secret or signature 401 with nothing started, malformed JSON 400, a bad payload 400', async () => {
  await withGateway({}, async (g, repo) => {
    const body = JSON.stringify(githubPullRequest(repo));
    const cases: [string, Record<string, string>, string][] = [
      ['wrong GitLab token', gitlabHeaders({ token: 'not-the-secret' }), JSON.stringify(gitlabMergeRequest(repo))],
      ['wrong X-Webhook-Token', { 'x-webhook-token': 'nope' }, JSON.stringify(gitlabMergeRequest(repo))],
      ['signature with another secret', githubHeaders(body, { signature: sign(body, 'another-secret') }), body],
      ['signature of another body', githubHeaders(body, { signature: sign(`${body} `) }), body],
      ['malformed signature', githubHeaders(body, { signature: 'sha1=abc' }), body],
      ['no secret at all', { 'x-github-event': 'pull_request' }, body],
    ];
    for (const [what, headers, payload] of cases) {
      const r = await deliver(g.url, headers, payload);
      assert.equal(r.status, 401, what);
      assert.equal(r.body.error.code, 'unauthorized', what);
    }
    // a bearer token is not what authenticates a webhook
    const bearer = await deliver(g.url, { authorization: 'Bearer test-token-0123456789abcdef' }, body);
    assert.equal(bearer.status, 401);
    assert.equal((await g.api('GET', '/api/v1/reviews')).body.length, 0, 'nothing started');
    assert.equal([...g.gw.store.iterate({})].filter((e) => e.streamId.startsWith('review:')).length, 0, 'nothing recorded');

    const broken = '{"object_kind": "merge_request", ';
    const malformed = await deliver(g.url, gitlabHeaders(), broken);
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error.code, 'invalid_json');
    const signedBroken = await deliver(g.url, githubHeaders(broken), broken);
    assert.equal(signedBroken.status, 400);
    const incomplete = await deliver(g.url, gitlabHeaders(), { object_kind: 'merge_request', project: { id: 1 } });
    assert.equal(incomplete.status, 400);
    assert.equal(incomplete.body.error.code, 'invalid_request');
    // X-Webhook-Token is accepted as the GitLab token
    const neutral = await deliver(g.url, { 'x-webhook-token': SECRET }, gitlabMergeRequest(repo));
    assert.equal(neutral.status, 202, JSON.stringify(neutral.body));
    await finished(g, neutral.body.review_id, 'reviewed'); // not torn down while git still writes the clone
    // the list needs a token with read scope
    assert.equal((await g.api('GET', '/api/v1/reviews', undefined, { token: null })).status, 401);
    assert.equal((await g.api('GET', '/api/v1/reviews/nope')).status, 404);
  });
});

test('no secret configured: 503 webhooks_disabled', async () => {
  await withGateway({ gatewayEnv: { PATH: process.env.PATH, HOME: process.env.HOME } }, async (g, repo) => {
    const r = await deliver(g.url, gitlabHeaders(), gitlabMergeRequest(repo));
    assert.equal(r.status, 503);
    assert.equal(r.body.error.code, 'webhooks_disabled');
  });
});

test('without a token the review stays in the log; the session is read-only (no writes, terminals only from read_commands)', async () => {
  await withGateway(
    { webhooks: { prompt_template: `/review write=evil.txt run=true\n${DEFAULT_REVIEW_TEMPLATE}` } },
    async (g, repo) => {
      const accepted = await deliver(g.url, gitlabHeaders(), gitlabMergeRequest(repo));
      assert.equal(accepted.status, 202);
      const done = await finished(g, accepted.body.review_id, 'reviewed');
      assert.equal(done.post.to, null);
      assert.match(done.review, /write evil.txt: refused/);
      assert.match(done.review, /run true: refused/);
      assert.match(done.review, /develop.txt: 1 lines read/);
      const written = (await g.api('GET', `/api/v1/sessions/${accepted.body.session_id}/events?type=PermissionDecided`)).body.events;
      assert.ok(written.length >= 2 && written.every((e: { data: { decision: string } }) => e.data.decision === 'reject_once'), JSON.stringify(written));
    },
  );
  await withGateway(
    { webhooks: { prompt_template: `/review run=true\n${DEFAULT_REVIEW_TEMPLATE}`, read_commands: ['true'] } },
    async (g, repo) => {
      const accepted = await deliver(g.url, gitlabHeaders(), gitlabMergeRequest(repo));
      const done = await finished(g, accepted.body.review_id, 'reviewed');
      assert.match(done.review, /run true: ran \(exit 0\)/);
    },
  );
});

test('without review_agent the agent is routed (task_type review); no route is ignored, not an error', async () => {
  await withGateway(
    { webhooks: { review_agent: undefined }, extra: { routing: { rules: [{ match: { task_type: 'review' }, agent: 'reviewer' }] } } },
    async (g, repo) => {
      const accepted = await deliver(g.url, gitlabHeaders(), gitlabMergeRequest(repo));
      assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
      const done = await finished(g, accepted.body.review_id, 'reviewed');
      assert.deepEqual(done.chosen_by, { rule: 0 });
    },
  );
  await withGateway({ webhooks: { review_agent: undefined } }, async (g, repo) => {
    const r = await deliver(g.url, gitlabHeaders(), gitlabMergeRequest(repo));
    assert.equal(r.status, 202);
    assert.match(r.body.ignored, /no reviewing agent/);
  });
});

export type { FakeApi };
