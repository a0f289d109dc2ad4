// The bare uWebSockets.js SSE fan-out: the baseline of the gateway's fan-out. Waits for `subs` subscribers, then
// writes `messages` SSE frames of exactly `size` bytes, `batch` frames per write (the batch encoded once and
// written to every subscriber, corked), pausing while any subscriber is backpressured (lossless, as the
// reference's `block` policy). The last frame carries the end marker the clients wait for.
// usage: node uws-fanout.js '{"subs":1000,"messages":20004,"size":480,"batch":300}'  → `listening <port>`, result
import uWS from 'uWebSockets.js';

interface Spec {
  subs: number;
  messages: number;
  size: number;
  batch: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as Spec;
if (!/\[native code\]/.test(String(uWS.App))) {
  process.stderr.write('uws-fanout: uWebSockets.js fell back to its JS implementation\n');
  process.exit(2);
}

/** Frame `i` as `id: i\ndata: {...}\n\n`, padded to `size` bytes; the last one names TurnEnded (the end marker). */
function frame(i: number, last: boolean): string {
  const head = `id: ${i}\ndata: {"position":${i},"type":"${last ? 'TurnEnded' : 'AcpMessage'}","pad":"`;
  const tail = '"}\n\n';
  return head + 'x'.repeat(Math.max(0, spec.size - head.length - tail.length)) + tail;
}

interface Sub {
  res: uWS.HttpResponse;
  blocked: boolean;
  gone: boolean;
}

const subs = new Set<Sub>();
let blocked = 0;
let sent = 0;
let writes = 0;
let stalls = 0;
let running = false;
let finished = false;
/** the last batch has been written (buffered) to every subscriber: a hang-up from now on is a client that is done */
let allWritten = false;
let t0 = 0;
/** subscribers that went away before the last batch was written (should be 0) */
let abortedEarly = 0;

function tick(): void {
  if (blocked > 0) return; // resumed by onWritable
  if (sent >= spec.messages) return finish();
  let s = '';
  const end = Math.min(spec.messages, sent + spec.batch);
  for (let i = sent + 1; i <= end; i++) s += frame(i, i === spec.messages);
  sent = end;
  if (sent >= spec.messages) allWritten = true;
  const buf = Buffer.from(s); // encoded once, written to every subscriber
  for (const sub of subs) {
    if (sub.gone) continue;
    writes++;
    let ok = true;
    sub.res.cork(() => {
      ok = sub.res.write(buf);
    });
    if (!ok && !sub.blocked) {
      sub.blocked = true;
      blocked++;
      stalls++;
      sub.res.onWritable(() => {
        sub.blocked = false;
        blocked--;
        if (blocked === 0) setImmediate(tick);
        return true;
      });
    }
  }
  setImmediate(tick);
}

function finish(): void {
  if (!running) return;
  running = false;
  finished = true;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage();
  process.stdout.write(
    JSON.stringify({ subs: subs.size, messages: sent, writes, stalls, aborted_early: abortedEarly, seconds, fanout_per_s: (sent * subs.size) / seconds, cpu_s: (cpu.user + cpu.system) / 1e6 }) + '\n',
  );
  // stays up until the clients hang up after the end marker (or the bench stops it): everything written is
  // buffered in uWS and must still reach the slower subscribers
}

uWS
  .App()
  .get('/*', (res) => {
    const sub: Sub = { res, blocked: false, gone: false };
    res.onAborted(() => {
      sub.gone = true;
      if (!allWritten) abortedEarly++;
      if (sub.blocked) {
        sub.blocked = false;
        blocked--;
        if (blocked === 0 && running) setImmediate(tick);
      }
      subs.delete(sub);
      if (finished && subs.size === 0) process.exit(0);
    });
    res.cork(() => {
      res.writeStatus('200 OK').writeHeader('content-type', 'text/event-stream').writeHeader('cache-control', 'no-cache');
      res.write(': open\nretry: 1000\n\n');
    });
    subs.add(sub);
    if (subs.size === spec.subs && !running && sent === 0) {
      running = true;
      t0 = performance.now();
      setImmediate(tick);
    }
  })
  .listen('127.0.0.1', 0, (socket) => {
    if (!socket) process.exit(1);
    process.stdout.write(`listening ${uWS.us_socket_local_port(socket as never)}\n`);
  });
process.on('SIGTERM', () => process.exit(0));
