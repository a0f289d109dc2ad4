// `aintegrix events SESSION [--follow]`: a session's log from a cursor. Without --follow the pages up to the head;
// with it the SSE stream, resumed from the last position seen when the connection drops (nothing lost or doubled).
import type { Command } from 'commander';
import { clientFor, type GlobalOptions } from '../remote.js';
import { Progress, printJsonLine } from '../output.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { ApiError, type EventView } from '../../client/index.js';

interface EventsOptions {
  after?: string;
  type?: string;
  follow?: boolean;
}

export function eventsCommand(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  program
    .command('events')
    .description("a session's log: position, time, type and a summary (--json: the events as JSON lines)")
    .argument('<session>', 'the session id')
    .option('--after <position>', 'start after this log position (the cursor)', '0')
    .option('--type <type>', 'only events of this type')
    .option('--follow', 'keep following the log (Ctrl-C to stop)')
    .action((session: string, o: EventsOptions, c: Command) => run(() => events(c.optsWithGlobals<GlobalOptions>(), session, o)));
}

async function events(g: GlobalOptions, session: string, o: EventsOptions): Promise<number> {
  const after = Number(o.after ?? '0');
  if (!Number.isSafeInteger(after) || after < 0) throw new UsageError('--after: a log position (a non-negative integer)');
  const client = clientFor(g);
  const print = (e: EventView) => (g.json ? printJsonLine(e) : process.stdout.write(`${e.position}\t${e.at}\t${e.type}\t${summary(e)}\n`));
  let cursor = after;
  if (!o.follow) {
    for (;;) {
      const page = await client.sessionEvents(session, { after: cursor, limit: 1000, ...(o.type ? { type: o.type } : {}) });
      for (const e of page.events) print(e);
      if (page.events.length === 0) return EXIT.ok;
      cursor = page.next_after;
    }
  }
  const controller = new AbortController();
  let stopped = false;
  const stop = () => {
    stopped = true;
    controller.abort();
  };
  process.once('SIGINT', stop);
  const progress = new Progress();
  try {
    for (let attempt = 0; !stopped; attempt++) {
      try {
        for await (const e of client.streamEvents(session, { after: cursor, type: o.type, signal: controller.signal })) {
          attempt = 0;
          progress.stop();
          print(e);
          cursor = e.position;
        }
      } catch (e) {
        if (stopped) break;
        // the session is gone or the token refused: no point retrying
        if (e instanceof ApiError && e.status !== 0 && e.status < 500) throw e;
      }
      if (stopped) break;
      // the stream ended (gateway restart, dropped connection): resume from the last position seen
      await progress.while(`reconnecting from position ${cursor}`, sleep(Math.min(5000, 250 * 2 ** Math.min(attempt, 5)), controller.signal));
    }
  } finally {
    process.off('SIGINT', stop);
    progress.stop();
  }
  return EXIT.ok;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** A short line about an event for people (the --json lines carry everything). */
function summary(e: EventView): string {
  const d = (e.data ?? {}) as Record<string, any>;
  switch (e.type) {
    case 'PromptSubmitted': {
      const text = (d.prompt ?? []).map((b: any) => (b?.type === 'text' ? b.text : `[${b?.type}]`)).join(' ');
      return `turn ${d.turn}: ${clip(text)}`;
    }
    case 'TurnEnded':
      return `turn ${d.turn}: ${d.outcome} (${d.stop_reason ?? d.error?.code ?? '-'})`;
    case 'PermissionRequested':
      return `${d.approval_id}: ${d.tool_call?.title ?? ''}`;
    case 'PermissionDecided':
      return `${d.approval_id}: ${d.decision} by ${d.decided_by}`;
    case 'AcpMessage': {
      const update = d.msg?.params?.update;
      if (update?.sessionUpdate) return `${d.dir} ${update.sessionUpdate}${update.content?.type === 'text' ? `: ${clip(update.content.text)}` : ''}`;
      return `${d.dir} ${d.msg?.method ?? (d.msg?.result !== undefined ? 'result' : d.msg?.error ? 'error' : '')}`;
    }
    default:
      return clip(JSON.stringify(d));
  }
}

function clip(s: string, n = 100): string {
  const one = String(s).replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}
