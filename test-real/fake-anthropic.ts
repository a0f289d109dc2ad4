// A fake Anthropic Messages API on 127.0.0.1, scripted by the last user message, so that claude-agent-acp (and the
// Claude Code CLI it runs) can do complete turns offline. Real wire format: streaming SSE (`message_start` →
// `content_block_start` → deltas → `content_block_stop` → `message_delta` → `message_stop`) or one JSON message when
// the request does not ask for a stream.
//
// Script of the conversation requests (those that offer the `Bash` tool):
//   last user message holds a tool_result   → text `fake-model: tool said: <result>` (is_error is shown too)
//   text contains `HANG`                     → never answered (the request stays open until the client gives up)
//   text contains `RUN: <command>`           → a `tool_use` of Bash with {command, description}
//   text holds `<answer label="X">` blocks   → a judge's verdict: JSON naming the last label shown
//   anything else                            → text `fake-model: <text>`
// Side requests (no Bash tool: session titles, topic detection, ...) get a short text; every request is logged.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';

export const FAKE_TEXT_PREFIX = 'fake-model: ';
export const TOOL_RESULT_PREFIX = 'fake-model: tool said: ';

export interface LoggedRequest {
  method: string;
  /** path with query, as sent */
  url: string;
  at: number;
  body: unknown;
  /** what the script answered */
  answer: 'probe' | 'count_tokens' | 'text' | 'tool_use' | 'tool_result_text' | 'hang' | 'verdict' | 'side' | 'not_found';
}

export interface FakeAnthropic {
  /** http://127.0.0.1:<port> */
  url: string;
  requests: LoggedRequest[];
  /** requests held open by `HANG` that the client has not given up yet */
  openHangs(): number;
  close(): Promise<void>;
}

interface MessagesBody {
  model?: string;
  stream?: boolean;
  messages?: { role: string; content: unknown }[];
  tools?: { name?: string }[];
}

type Block = { type: string; [k: string]: unknown };
type Reply = { kind: 'text'; text: string } | { kind: 'tool_use'; id: string; input: { command: string; description: string } };

export async function startFakeAnthropic(): Promise<FakeAnthropic> {
  const requests: LoggedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => void handle(req, res));
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: unknown = raw;
    try {
      body = raw.length ? JSON.parse(raw) : undefined;
    } catch {
      /* keep the text */
    }
    const path = (req.url ?? '/').split('?')[0];
    const log = (answer: LoggedRequest['answer']) => requests.push({ method: req.method ?? '', url: req.url ?? '', at: Date.now(), body, answer });

    if (req.method === 'HEAD' || (req.method === 'GET' && path === '/')) {
      log('probe');
      res.writeHead(200).end();
      return;
    }
    if (req.method === 'POST' && path === '/v1/messages/count_tokens') {
      log('count_tokens');
      json(res, 200, { input_tokens: Math.max(1, Math.ceil(raw.length / 4)) });
      return;
    }
    if (req.method !== 'POST' || path !== '/v1/messages') {
      log('not_found');
      json(res, 404, { type: 'error', error: { type: 'not_found_error', message: `no route ${req.method} ${path}` } });
      return;
    }
    const m = (body ?? {}) as MessagesBody;
    const conversation = (m.tools ?? []).some((t) => t.name === 'Bash');
    const last = lastUserBlocks(m.messages ?? []);
    let reply: Reply;
    if (!conversation) {
      log('side');
      reply = { kind: 'text', text: 'Fake session title' };
    } else {
      const toolResult = last.find((b) => b.type === 'tool_result');
      const text = userText(last);
      if (toolResult) {
        log('tool_result_text');
        const said = blockText(toolResult.content);
        reply = { kind: 'text', text: `${TOOL_RESULT_PREFIX}${toolResult.is_error ? '[error] ' : ''}${said}` };
      } else if (text.includes('HANG')) {
        log('hang');
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return; // no status line, no bytes: the model is stuck
      } else {
        const run = /RUN:\s*(.+)$/m.exec(text);
        const labels = [...text.matchAll(/<answer label="([A-Z]+)">/g)].map((x) => x[1]!);
        if (labels.length > 0) {
          // an orchestration's judge prompt: the last label wins (so the verdict is the judge's, not the fallback)
          log('verdict');
          const winner = labels[labels.length - 1]!;
          const scores = Object.fromEntries(labels.map((l) => [l, l === winner ? 8 : 4]));
          reply = { kind: 'text', text: JSON.stringify({ winner, scores, rationale: 'fake judge: the last answer' }) };
        } else if (run) {
          log('tool_use');
          reply = { kind: 'tool_use', id: `toolu_${randomUUID().replaceAll('-', '').slice(0, 24)}`, input: { command: run[1]!.trim(), description: 'Run the command the test asked for' } };
        } else {
          log('text');
          reply = { kind: 'text', text: `${FAKE_TEXT_PREFIX}${text}` };
        }
      }
    }
    if (m.stream) stream(res, m.model ?? 'claude-fake', reply);
    else json(res, 200, wholeMessage(m.model ?? 'claude-fake', reply));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    openHangs: () => hanging.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function lastUserBlocks(messages: { role: string; content: unknown }[]): Block[] {
  for (let i = messages.length - 1; i >= 0; i--) {
    const msg = messages[i]!;
    if (msg.role !== 'user') continue;
    if (typeof msg.content === 'string') return [{ type: 'text', text: msg.content }];
    if (Array.isArray(msg.content)) return msg.content as Block[];
  }
  return [];
}

/**
 * The user's words: the last text block that the CLI did not inject (it prepends <system-reminder> context and the
 * <local-command-...> record of the `/model` it ran when the gateway set the model, all in the same message).
 */
function userText(blocks: Block[]): string {
  const texts = blocks.filter((b): b is Block & { text: string } => b.type === 'text' && typeof b.text === 'string');
  const own = texts.filter((b) => !/^\s*<(system-reminder|local-command-|command-)/.test(b.text));
  return (own.at(-1)?.text ?? '').trim();
}

function blockText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return (content as Block[]).map((b) => (typeof b.text === 'string' ? b.text : '')).join('');
  return '';
}

/**
 * Usage without the optional cache counters (the API may leave them out or null). claude-agent-acp 0.23.1 adds all
 * four up for its `usage_update`, gets NaN, and JSON turns that into `"used": null`: the schema violation the gateway
 * must record as sent.
 */
function usage(output: number) {
  return { input_tokens: 12, output_tokens: output };
}

function wholeMessage(model: string, reply: Reply) {
  const content =
    reply.kind === 'text' ? [{ type: 'text', text: reply.text }] : [{ type: 'tool_use', id: reply.id, name: 'Bash', input: reply.input }];
  return {
    id: `msg_${randomUUID()}`,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: reply.kind === 'text' ? 'end_turn' : 'tool_use',
    stop_sequence: null,
    usage: usage(5),
  };
}

function stream(res: ServerResponse, model: string, reply: Reply): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'request-id': `req_${randomUUID()}` });
  const send = (data: { type: string; [k: string]: unknown }) => res.write(`event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`);
  send({ type: 'message_start', message: { ...wholeMessage(model, reply), content: [], stop_reason: null, usage: usage(1) } });
  if (reply.kind === 'text') {
    send({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    // two deltas, so clients see real streaming
    const cut = Math.ceil(reply.text.length / 2);
    for (const part of [reply.text.slice(0, cut), reply.text.slice(cut)]) {
      if (part) send({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: part } });
    }
  } else {
    send({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: reply.id, name: 'Bash', input: {} } });
    send({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(reply.input) } });
  }
  send({ type: 'content_block_stop', index: 0 });
  send({ type: 'message_delta', delta: { stop_reason: reply.kind === 'text' ? 'end_turn' : 'tool_use', stop_sequence: null }, usage: { output_tokens: 5 } });
  send({ type: 'message_stop' });
  res.end();
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
