// Reviews across a crash of the real server process (kill -9, then `aintegrix serve` again on the same data dir): a
// review whose agent was mid-turn is resumed and posted once; a review whose post was in flight is looked for on the
// provider after the restart and found, never posted twice; a posted review stays posted across a further restart.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callServer, demoAgent, demoServerConfig, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { eventually } from '../helpers/gateway.js';
import { makeBareRepo } from '../repos/fixtures.js';
import { DEFAULT_REVIEW_TEMPLATE } from '../../src/config/webhooks-schema.js';
import { GITLAB_TOKEN, SECRET, deliver, gitlabHeaders, gitlabMergeRequest, startFakeApi } from './fixtures.js';

const TOKEN = 'review-restart-token-0123456789';

function writeConfig(dir: string, gitlabUrl: string, template: string): string {
  const secretFile = join(dir, 'webhook-secret');
  writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
  return demoServerConfig(dir, {
    token: TOKEN,
    server: { shutdown_timeout_secs: 10 },
    agents: { reviewer: demoAgent(dir) },
    extra: {
      git: { allow_file_urls: true },
      // the secret from a file this time (AINTEGRIX_WEBHOOK_SECRET in the other tests)
      webhooks: { secret_file: secretFile, review_agent: 'reviewer', prompt_template: template, gitlab: { url: gitlabUrl, token: GITLAB_TOKEN } },
    },
  });
}

const get = (s: ServerProcess, path: string) => callServer(s, TOKEN, 'GET', path);

const review = (s: ServerProcess, id: string) => get(s, `/api/v1/reviews/${id}`).then((r) => r.body);

async function killHard(s: ServerProcess): Promise<void> {
  s.child.kill('SIGKILL');
  await s.exited;
}

/** What each test has: a folder, a repository to review, a fake GitLab; start() runs a server, gone after the test. */
async function reviewWorld(t: TestContext, prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const repo = makeBareRepo();
  const gitlab = await startFakeApi(GITLAB_TOKEN, 'private-token');
  const started: ServerProcess[] = [];
  t.after(async () => {
    for (const s of started) s.child.kill('SIGKILL');
    await gitlab.close();
    repo.remove();
    rmSync(dir, { recursive: true, force: true });
  });
  const start = async (config: string) => {
    const s = await startServerProcess(['--config', config], {});
    started.push(s);
    return s;
  };
  return { dir, repo, gitlab, start };
}

test('kill -9 while the agent reviews: after the restart the review is resumed in its session and posted once', async (t) => {
  const { dir, repo, gitlab, start } = await reviewWorld(t, 'aix-review-crash-');
  const release = join(dir, 'release');
  const config = writeConfig(dir, gitlab.url, `/review hold=${release}\n${DEFAULT_REVIEW_TEMPLATE}`);
  const s1 = await start(config);
  const accepted = await deliver(s1.url, gitlabHeaders(), gitlabMergeRequest(repo));
  assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
  const { review_id, session_id } = accepted.body;
  // the agent holds the review turn open: the gateway dies in the middle of it
  await eventually(
    async () => JSON.stringify((await get(s1, `/api/v1/sessions/${session_id}/events?type=AcpMessage&limit=1000`)).body).includes('review: holding'),
    30_000,
    'the review turn running',
  );
  assert.equal((await review(s1, review_id)).status, 'cloned');
  await killHard(s1);

  writeFileSync(release, 'go');
  const s2 = await start(config);
  const done = await eventually(async () => {
    const r = await review(s2, review_id);
    if (r.status === 'failed') throw new Error(JSON.stringify(r.error));
    return r.status === 'posted' ? r : undefined;
  }, 30_000, 'the resumed review posted');
  assert.equal(done.resumes, 1);
  assert.match(done.review, /develop.txt: 1 lines read/);
  assert.equal(gitlab.posts.length, 1, 'posted once');
  // the session says what happened: the first turn interrupted by the crash, the second one completed
  const ended = (await get(s2, `/api/v1/sessions/${session_id}/events?type=TurnEnded`)).body.events.map((e: any) => e.data.outcome);
  assert.deepEqual(ended, ['interrupted', 'completed']);
});

test('kill -9 while the post is in flight: after the restart the post is looked for and found, never sent twice', async (t) => {
  const { dir, repo, gitlab, start } = await reviewWorld(t, 'aix-review-post-');
  const config = writeConfig(dir, gitlab.url, `/review\n${DEFAULT_REVIEW_TEMPLATE}`);
  gitlab.holdPosts(); // GitLab keeps the note but the gateway never hears back
  const s1 = await start(config);
  const accepted = await deliver(s1.url, gitlabHeaders(), gitlabMergeRequest(repo));
  assert.equal(accepted.status, 202);
  const { review_id } = accepted.body;
  await eventually(() => gitlab.posts.length === 1, 30_000, 'the post in flight');
  assert.equal((await review(s1, review_id)).status, 'posting');
  await killHard(s1);

  const s2 = await start(config);
  const done = await eventually(async () => {
    const r = await review(s2, review_id);
    return r.status === 'posted' ? r : undefined;
  }, 30_000, 'the review recorded as posted');
  assert.equal(done.post.found_existing, true);
  assert.equal(done.post.remote_id, '100');
  assert.equal(gitlab.posts.length, 1, 'not posted again');
  assert.ok(gitlab.requests.some((r) => r.method === 'GET'), 'the notes were looked at');

  // a further restart leaves a posted review alone
  await s2.stop('SIGTERM');
  const s3 = await start(config);
  assert.equal((await review(s3, review_id)).status, 'posted');
  const listed = await get(s3, '/api/v1/reviews');
  assert.deepEqual(listed.body.map((r: any) => r.status), ['posted']);
  assert.equal(gitlab.posts.length, 1);
});
