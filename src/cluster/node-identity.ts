// Who this node is: `cluster.node_id`, or an id generated at the first start and kept in the data dir, so a
// restarted process is the same node (it finds its own leases again) and two data dirs are never the same node.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_ID } from '../config/cluster-schema.js';

export const NODE_ID_FILE = 'node-id';

/** The configured id, else the one in `<dataDir>/node-id` (made on first use). */
export function resolveNodeId(configured: string | undefined, dataDir: string): string {
  if (configured !== undefined) return configured;
  const file = join(dataDir, NODE_ID_FILE);
  if (existsSync(file)) {
    const id = readFileSync(file, 'utf8').trim();
    if (!NODE_ID.test(id)) throw new Error(`${file} does not hold a node id (letters, digits, "_", "." and "-"): remove it to make a new one`);
    return id;
  }
  const id = `node-${randomBytes(6).toString('hex')}`;
  mkdirSync(dataDir, { recursive: true });
  // 'wx': two processes starting on one data dir keep the first id (the loser reads it back)
  try {
    writeFileSync(file, `${id}\n`, { flag: 'wx', mode: 0o644 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return resolveNodeId(undefined, dataDir);
    throw error;
  }
  return id;
}

/** The URL other nodes forward commands to: `cluster.advertise_url`, else the listening address (loopback for a wildcard). */
export function advertiseUrl(configured: string | undefined, host: string, port: number): string {
  if (configured !== undefined) return configured.replace(/\/+$/, '');
  const wildcard = host === '0.0.0.0' || host === '::' || host === '[::]';
  const h = wildcard ? '127.0.0.1' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}
