// Shared by the store tests: real files in a temp dir, removed after each test.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { openEventStore } from '../../src/store/sqlite-event-store.js';
import type { EventStore, EventStoreOptions } from '../../src/store/types.js';

/** A fresh temp dir, removed when the test ends. */
export function tempDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aintegrix-store-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A store on a fresh file; closed (if still open) when the test ends. */
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


/** Yield to the event loop once (lets setImmediate-scheduled work run). */
export const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

export const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
