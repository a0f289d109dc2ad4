// Builds the log the boot figure restores: `sessions` sessions (and `sessions` agent-process streams) copied from a
// template log that a real gateway wrote with real agent traffic (see figures/boot.ts). Each copy gets new ids
// (session id, ACP session id, process stream) and is written through the real ActorRuntime with the real
// session and agent-process kinds: every event is validated by the event catalogue, appended with the store's
// group commit and hash chain, folded by the real machines, and snapshotted exactly where the runtime snapshots
// a live session (the SessionService's `snapshotWhen`: idle or done, and every `snapshot_every` events). Only the
// effects are switched off (no agent is started). Copies are written many at a time, so batches are large.
// usage: node build-boot-db.js '<json Spec>' → one JSON line
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { openEventStore } from '../../src/store/index.js';
import type { EventMeta, NewEvent, RecordedEvent } from '../../src/store/types.js';
import { createCatalogue } from '../../src/events/index.js';
import { ActorRuntime } from '../../src/actors/runtime.js';
import { agentProcessKind } from '../../src/agents/agent-process-kind.js';
import { SessionService } from '../../src/sessions/session-service.js';
import type { SessionDeps } from '../../src/sessions/session-deps.js';
import { silentLogger } from '../../src/log/logger.js';
import { loadConfigText } from '../../src/config/index.js';

interface Spec {
  templateDb: string;
  templateDataDir: string;
  outDb: string;
  outDataDir: string;
  sessions: number;
  /** sessions copied at a time */
  wave?: number;
  snapshotEvery: number;
}

interface TemplateStream {
  sessionId: string;
  acpSessionId: string;
  processStream: string;
  session: RecordedEvent[];
  process: RecordedEvent[];
  closed: boolean;
}

function readTemplate(path: string): TemplateStream[] {
  const store = openEventStore({ path, durability: 'fast' });
  const processes = new Map<string, RecordedEvent[]>();
  for (const info of store.listStreams('agent:')) {
    const events = store.readStream(info.streamId);
    const spawned = events.find((e) => e.type === 'AgentProcessSpawned');
    if (spawned) processes.set((spawned.data as { session: string }).session, events);
  }
  const out: TemplateStream[] = [];
  for (const info of store.listStreams('session:')) {
    const events = store.readStream(info.streamId);
    const sessionId = info.streamId.slice('session:'.length);
    const attached = events.find((e) => e.type === 'AgentAttached');
    const proc = processes.get(sessionId);
    if (!attached || !proc) throw new Error(`template session ${sessionId} has no agent`);
    out.push({
      sessionId,
      acpSessionId: (attached.data as { acp_session_id: string }).acp_session_id,
      processStream: proc[0]!.streamId,
      session: events,
      process: proc,
      closed: events.some((e) => e.type === 'SessionClosed'),
    });
  }
  void store.close();
  return out;
}

/** Every occurrence of each key replaced by its value (ids and paths are plain strings in the JSON texts). */
function substitute(text: string, pairs: ReadonlyArray<[string, string]>): string {
  let t = text;
  for (const [from, to] of pairs) t = t.split(from).join(to);
  return t;
}

function copyEvents(events: readonly RecordedEvent[], pairs: ReadonlyArray<[string, string]>): Array<NewEvent & { meta: EventMeta }> {
  return events.map((e) => ({
    type: e.type,
    data: JSON.parse(substitute(e.dataText, pairs)) as unknown,
    meta: JSON.parse(substitute(e.metaText, pairs)) as EventMeta,
  }));
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as Spec;
  const templates = readTemplate(spec.templateDb);
  const open = templates.find((t) => !t.closed);
  const closed = templates.find((t) => t.closed) ?? open;
  if (!open || !closed) throw new Error('the template log has no session');

  const store = openEventStore({ path: spec.outDb, durability: 'fast' });
  const catalogue = createCatalogue();
  const runtime = new ActorRuntime({ store, catalogue, logger: silentLogger, snapshotEvery: spec.snapshotEvery });
  // The SessionService's own kind (its snapshot rule included); only its effect handlers are dropped, so that no
  // agent is started. Its constructor reads the config (snapshot_every, the workspace roots): a real loaded one.
  const { config } = loadConfigText(
    JSON.stringify({ store: { data_dir: spec.outDataDir, path: spec.outDb, snapshot_every: spec.snapshotEvery } }),
    'bench-boot.yaml',
    {},
  );
  const deps = { config, store } as unknown as SessionDeps;
  // no effect handlers: copying a session's events must not start its agent
  const sessionKind = { ...new SessionService(runtime, deps).kind, effects: {} };

  const t0 = performance.now();
  const wave = spec.wave ?? 200;
  let processN = 0;
  let copied = 0;
  for (let start = 0; start < spec.sessions; start += wave) {
    const pending: Promise<unknown>[] = [];
    for (let i = start; i < Math.min(spec.sessions, start + wave); i++) {
      const t = i % 10 === 9 ? closed : open; // one session in ten was closed by its client
      const id = `demo_${randomUUID()}`;
      const processId = `demo:${++processN}`;
      const pairs: Array<[string, string]> = [
        [t.sessionId, id],
        [t.acpSessionId, randomUUID()],
        [`"${t.processStream}"`, `"agent:${processId}"`],
        [spec.templateDataDir, spec.outDataDir],
      ];
      const sessionEvents = copyEvents(t.session, pairs);
      const processEvents = copyEvents(t.process, pairs);
      pending.push(
        (async () => {
          const [first, ...rest] = sessionEvents;
          const actor = await runtime.create(sessionKind, id, [first!], first!.meta);
          const proc = await runtime.create(agentProcessKind, processId, [processEvents[0]!], processEvents[0]!.meta);
          // one append per event, as a live session records its traffic (pipelined, folded in commit order)
          const records = rest.map((e) => actor.record([{ type: e.type, data: e.data }], e.meta));
          for (const e of processEvents.slice(1)) records.push(proc.record([{ type: e.type, data: e.data }], e.meta));
          await Promise.all(records);
        })(),
      );
      copied++;
    }
    await Promise.all(pending);
    // keep memory flat: the copies are in the log now, their live actors are not needed here
    for (const a of runtime.list('session')) runtime.evict(a.streamId);
    for (const a of runtime.list('agent')) runtime.evict(a.streamId);
  }
  await runtime.settled();
  const events = store.headPosition();
  await store.close();
  const db = new Database(spec.outDb, { readonly: true });
  const snapshots = (db.prepare('SELECT count(*) AS n FROM snapshots').get() as { n: number }).n;
  const streams = (db.prepare('SELECT count(*) AS n FROM streams').get() as { n: number }).n;
  db.close();
  process.stdout.write(
    JSON.stringify({
      sessions: copied,
      events,
      streams,
      snapshots,
      template_events: { open: open.session.length + open.process.length, closed: closed.session.length + closed.process.length },
      seconds: (performance.now() - t0) / 1000,
      file_mb: statSync(spec.outDb).size / 1e6,
    }) + '\n',
  );
  process.exit(0);
}

main().catch((e: Error) => {
  process.stderr.write(`build-boot-db: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
