// The uWS ↔ Web Request/Response bridge on a real uWS server: the request arrives whole (method, url, query,
// headers, body), complete bodies keep their status and headers, event streams are pumped with backpressure (a
// client that stops reading stops the producer), and a client that leaves cancels the stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import { TokenAuthenticator } from '../../src/http/auth.js';
import { silentLogger } from '../../src/log/logger.js';
import type { Route } from '../../src/http/router.js';
import { sendWebResponse, toWebRequest } from '../../src/http/web-bridge.js';
import { eventually } from '../helpers/poll.js';

const CHUNK = 64 * 1024;
const TOTAL_CHUNKS = 1000; // 64 MB: far more than the socket buffers hold

interface Producer {
  pulled: number;
  cancelled: boolean;
}

async function serve(t: { after(fn: () => void): void }, producer: Producer): Promise<HttpServer> {
  const routes: Route[] = [
    {
      method: 'POST',
      path: '/echo',
      auth: false,
      handler: async (ctx) => {
        const body = await ctx.readBody(1024);
        const request = toWebRequest(ctx, { body, headers: { 'x-added': 'yes' } });
        const text = await request.text();
        const answer = { method: request.method, url: request.url, custom: request.headers.get('x-custom'), added: request.headers.get('x-added'), text };
        await sendWebResponse(ctx, new Response(JSON.stringify(answer), { status: 201, headers: { 'content-type': 'application/json', 'x-from': 'web' } }));
        return undefined;
      },
    },
    {
      method: 'GET',
      path: '/stream',
      auth: false,
      handler: async (ctx) => {
        let n = 0;
        const body = new ReadableStream<Uint8Array>(
          {
            pull(controller) {
              producer.pulled++;
              const chunk = new Uint8Array(CHUNK).fill(97 + (n % 26));
              controller.enqueue(chunk);
              if (++n === TOTAL_CHUNKS) controller.close();
            },
            cancel() {
              producer.cancelled = true;
            },
          },
          { highWaterMark: 0 },
        );
        await sendWebResponse(ctx, new Response(body, { headers: { 'content-type': 'text/event-stream', connection: 'keep-alive' } }));
        return undefined;
      },
    },
  ];
  const server = await startHttpServer({ host: '127.0.0.1', port: 0, routes, deps: { authenticator: new TokenAuthenticator([]), logger: silentLogger } });
  t.after(() => server.close());
  return server;
}

test('request fields and body arrive; a complete body is sent with its status and headers', async (t) => {
  const server = await serve(t, { pulled: 0, cancelled: false });
  const r = await fetch(`${server.url}/echo?a=1&b=two`, { method: 'POST', headers: { 'x-custom': 'c' }, body: 'hello' });
  assert.equal(r.status, 201);
  assert.equal(r.headers.get('x-from'), 'web');
  assert.ok(r.headers.get('x-request-id'));
  const body = (await r.json()) as Record<string, string>;
  // the URL is built on a fixed origin, never from the Host header a client sent
  assert.deepEqual(body, { method: 'POST', url: 'http://aintegrix.invalid/echo?a=1&b=two', custom: 'c', added: 'yes', text: 'hello' });
  const tooBig = await fetch(`${server.url}/echo`, { method: 'POST', body: 'x'.repeat(2048) });
  assert.equal(tooBig.status, 413);
});

test('an event stream stops being read while the client does not read, then arrives whole', async (t) => {
  const producer: Producer = { pulled: 0, cancelled: false };
  const server = await serve(t, producer);
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => http.get(`${server.url}/stream`, resolve).on('error', reject));
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'text/event-stream');
  assert.equal(res.headers['transfer-encoding'], 'chunked');
  res.pause();
  // the producer gets ahead by what the socket buffers hold, then waits for the client
  await eventually(async () => {
    const before = producer.pulled;
    await new Promise((r) => setTimeout(r, 200));
    return producer.pulled === before && before > 0;
  }, 5000, 'the producer to stall');
  assert.ok(producer.pulled < TOTAL_CHUNKS / 2, `producer paused at ${producer.pulled} of ${TOTAL_CHUNKS} chunks`);

  let bytes = 0;
  let tail = '';
  let head = '';
  res.on('data', (d: Buffer) => {
    if (head.length < 20) head += d.toString('latin1').slice(0, 20);
    bytes += d.length;
    tail = (tail + d.toString('latin1')).slice(-CHUNK);
  });
  res.resume();
  await new Promise((r) => res.on('end', r));
  const open = ': open\n\n';
  assert.ok(head.startsWith(open));
  assert.equal(bytes, open.length + TOTAL_CHUNKS * CHUNK);
  assert.equal(tail, String.fromCharCode(97 + ((TOTAL_CHUNKS - 1) % 26)).repeat(CHUNK));
  assert.equal(producer.pulled, TOTAL_CHUNKS);
  assert.equal(producer.cancelled, false);
});

test('a client that leaves mid-stream cancels the stream', async (t) => {
  const producer: Producer = { pulled: 0, cancelled: false };
  const server = await serve(t, producer);
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => http.get(`${server.url}/stream`, resolve).on('error', reject));
  res.pause();
  await eventually(() => producer.pulled > 1, 5000, 'streaming to start');
  res.destroy();
  await eventually(() => producer.cancelled, 1000, 'the stream to be cancelled');
  assert.ok(producer.pulled < TOTAL_CHUNKS);
  // the server is still fine
  const r = await fetch(`${server.url}/echo`, { method: 'POST', body: 'still here' });
  assert.equal(((await r.json()) as { text: string }).text, 'still here');
});
