// Shared by the store tests: real files in a temp dir (and, for the postgres store, a fresh database on the test
// PostgreSQL server), removed after each test. The contract tests run once per store kind (STORE_KINDS) with
// the same assertions; tests of one store's own mechanics (SQLite's WAL, its file, PostgreSQL's nodes) say so.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { openEventStore } from '../../src/store/sqlite-event-store.js';
import { type PostgresEventStoreOptions, openPostgresEventStore } from '../../src/store/postgres/open-postgres-store.js';
import type { EventStore, EventStoreOptions } from '../../src/store/types.js';
import { createTestDatabase } from '../helpers/postgres.js';

export type StoreKind = 'sqlite' | 'postgres';
export const STORE_KINDS: readonly StoreKind[] = ['sqlite', 'postgres'];

/** A fresh temp dir, removed when the test ends. */
export function tempDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aintegrix-store-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A SQLite store on a fresh file; closed (if still open) when the test ends. */
export function openTempStore(t: TestContext, options: Partial<EventStoreOptions> = {}): { store: EventStore; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aintegrix-store-'));
  const file = path.join(dir, 'events.db');
  const store = openEventStore({ path: file, ...options });
  t.after(async () => {
    await store.close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { store, file };
}

export interface TestStore {
  kind: StoreKind;
  store: EventStore;
  /** the SQLite file (for postgres: the node's mirror) */
  file: string;
  /** the database URL (postgres only) */
  url?: string;
  /** Open the same log again (after close): the same file, or the same database and mirror. */
  reopen(options?: Partial<EventStoreOptions>): Promise<EventStore>;
}

/** A store of `kind` on a fresh file (and database); every store it opens is closed when the test ends. */
export async function openTestStore(t: TestContext, kind: StoreKind, options: Partial<EventStoreOptions> = {}): Promise<TestStore> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aintegrix-store-'));
  const file = path.join(dir, kind === 'sqlite' ? 'events.db' : 'mirror.db');
  const opened: EventStore[] = [];
  t.after(async () => {
    for (const s of opened) await s.close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const url = kind === 'postgres' ? await createTestDatabase('store') : undefined;
  const open = async (o: Partial<EventStoreOptions>): Promise<EventStore> => {
    const s = url === undefined ? openEventStore({ path: file, ...o }) : await openPostgresEventStore({ path: file, url, pollMs: 200, ...o });
    opened.push(s);
    return s;
  };
  const store = await open(options);
  return { kind, store, file, ...(url !== undefined ? { url } : {}), reopen: (o = {}) => open(o) };
}

/** A postgres store (one node) on an existing database with its own mirror; closed when the test ends. */
export async function openNode(t: TestContext, url: string, options: Partial<PostgresEventStoreOptions> = {}): Promise<EventStore> {
  const dir = options.path === undefined ? tempDir(t) : undefined;
  const store = await openPostgresEventStore({ url, path: options.path ?? path.join(dir!, 'mirror.db'), pollMs: 200, ...options });
  t.after(() => store.close().catch(() => undefined));
  return store;
}

/** Yield to the event loop once (lets setImmediate-scheduled work run). */
export const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

export const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
