// The gateway side of the concurrency figure: one keep-alive connection per session, each sending the blocking
// REST prompt (`POST /api/v1/sessions/{id}/prompt`) of its session in a loop, all at once, for `seconds`; turns/s
// of completed turns (a turn in flight when the time is up is waited for and not counted). Every answer must be a
// 200 (a failed or refused turn fails the run).
// usage: node concurrent-prompts.js '<json Spec>' → one JSON line
import { KeepAliveConnection, requestBytes } from '../lib/http-client.js';

interface Spec {
  url: string;
  token: string;
  sessions: string[];
  prompt: string;
  seconds: number;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as Spec;
  const u = new URL(spec.url);
  const body = JSON.stringify({ messages: [{ type: 'text', text: spec.prompt }] });
  const ms = spec.seconds * 1000;
  let turns = 0;
  let end = Infinity;
  let failure: Error | undefined;
  const loops = spec.sessions.map(
    (id) =>
      new Promise<void>((resolve) => {
        const req = requestBytes(u.host, {
          method: 'POST',
          path: `/api/v1/sessions/${id}/prompt`,
          headers: { authorization: `Bearer ${spec.token}`, 'content-type': 'application/json' },
          body,
        });
        const conn: KeepAliveConnection = new KeepAliveConnection(
          u.hostname,
          Number(u.port),
          req,
          (status) => {
            if (status !== 200) failure ??= new Error(`prompt on ${id} answered ${status}`);
            const now = performance.now();
            if (now <= end) turns++;
            if (now >= end || failure) {
              conn.close();
              resolve();
            } else conn.send();
          },
          (e) => {
            failure ??= e;
            resolve();
          },
        );
        void conn.ready.then(() => conn.send());
      }),
  );
  // every connection starts at once; the clock starts with the first request
  const start = performance.now();
  end = start + ms;
  await Promise.all(loops);
  if (failure) throw failure;
  process.stdout.write(JSON.stringify({ sessions: spec.sessions.length, turns, seconds: ms / 1000, per_s: turns / (ms / 1000) }) + '\n');
  process.exit(0);
}

main().catch((e: Error) => {
  process.stderr.write(`concurrent-prompts: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
