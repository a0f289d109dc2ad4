// A real PostgreSQL server for the tests that need one (the postgres event store, the cluster's leases), and for
// the bench's postgres figure (bench/figures/postgres-appends.ts starts a durable one with startPostgres).
// Debian's `postgresql` package gives the binaries (scripts/ensure-system-packages.sh installs it); this helper makes
// a throw-away cluster in a temporary folder (initdb, trust auth on 127.0.0.1 only, a free port), starts it, and
// hands out one fresh database per call, so test files never see each other's rows. One cluster per test process.
// A test that cannot get a server fails with the reason: it never skips.
//
// AINTEGRIX_TEST_POSTGRES_URL (a server you run, e.g. postgres://postgres@127.0.0.1:5432/postgres) is used instead of
// starting one; the helper still creates a fresh database in it per call.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  /** URL of the server's maintenance database (`postgres`) */
  adminUrl: string;
  /** the postmaster (absent for a server given by AINTEGRIX_TEST_POSTGRES_URL) */
  child?: ChildProcess;
  /** kill -9 of the postmaster (a lost database); resolves once it is dead (only for a server this helper started) */
  kill9?(): Promise<void>;
  /** start the killed server again on the same data and port (crash recovery runs) */
  restart?(): Promise<void>;
  stop(): Promise<void>;
}

let shared: Promise<PostgresServer> | undefined;
let databases = 0;

/** A fresh, empty database on the test server (started on first use), or on `on`; returns its URL. */
export async function createTestDatabase(prefix = 't', on?: Pick<PostgresServer, 'adminUrl'>): Promise<string> {
  const server = on ?? (await testPostgres());
  const name = `${prefix}_${process.pid}_${++databases}_${Date.now().toString(36)}`.toLowerCase();
  const client = new pg.Client({ connectionString: server.adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(server.adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The one server of this test process (started once, stopped when the process exits). */
export function testPostgres(): Promise<PostgresServer> {
  shared ??= process.env.AINTEGRIX_TEST_POSTGRES_URL
    ? Promise.resolve({ adminUrl: process.env.AINTEGRIX_TEST_POSTGRES_URL, stop: async () => undefined })
    : startPostgres();
  return shared;
}

/** Folder of the newest installed PostgreSQL's binaries (Debian: /usr/lib/postgresql/<major>/bin). */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors.length === 0) {
    throw new Error(
      'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run `sh scripts/ensure-system-packages.sh` ' +
        'as root, or `apt-get install postgresql`, or set AINTEGRIX_TEST_POSTGRES_URL to a server you run',
    );
  }
  return join(root, majors[0]!, 'bin');
}

/**
 * Start a private cluster: initdb into a temporary folder, then `postgres` on 127.0.0.1 and a free port. `durable`:
 * PostgreSQL's own defaults (fsync, synchronous commit), for benchmarks of durable appends; the tests run without.
 */
export async function startPostgres(options: { durable?: boolean } = {}): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'aintegrix-pg-'));
  const dataDir = join(dir, 'data');
  // PostgreSQL refuses to run as root: as root (a CI machine), the cluster belongs to the `postgres` user the
  // Debian package creates, and its processes run as that user (spawn's uid/gid: no wrapper process that a kill
  // would not reach).
  const owner = process.getuid?.() === 0 ? postgresUser() : undefined;
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chmodSync(dir, 0o700);
  }
  const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {};

  const init = spawnSync(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--no-locale'], {
    encoding: 'utf8',
    cwd: dir,
    ...asOwner,
  });
  if (init.status !== 0) throw new Error(`initdb failed (${init.status}): ${init.stderr || init.stdout || init.error}`);

  const port = await freePort();
  const args = [
    '-D', dataDir,
    '-p', String(port),
    '-c', 'listen_addresses=127.0.0.1',
    '-c', `unix_socket_directories=${dir}`,
    '-c', 'max_connections=200',
    // the tests measure behaviour, not durability of this throw-away cluster
    ...(options.durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
  ];
  let log = '';
  const launch = (): ChildProcess => {
    const child = spawn(join(bin, 'postgres'), args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir, ...asOwner });
    child.stderr!.on('data', (b) => (log = (log + b).slice(-4000)));
    // the server must not keep a test process alive; it is shut down when the process exits
    child.unref();
    (child.stderr as unknown as { unref(): void }).unref();
    return child;
  };
  let child = launch();
  const killOnExit = () => {
    child.kill('SIGQUIT'); // immediate shutdown: the postmaster ends its own children
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', killOnExit); // never leave a server behind a failed test

  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitUntilAccepting(adminUrl, child, () => log);
  const exited = (c: ChildProcess): Promise<void> => {
    if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
    c.ref(); // unref'd at start: waiting for its exit must keep the process alive
    return new Promise((resolve) => c.once('exit', () => resolve()));
  };
  return {
    adminUrl,
    get child() {
      return child;
    },
    async kill9() {
      const gone = exited(child);
      child.kill('SIGKILL');
      await gone;
      // its backends notice the postmaster's death and exit by themselves; a restart waits for them
    },
    async restart() {
      if (child.exitCode === null && child.signalCode === null) throw new Error('restart: the server is still running');
      const deadline = Date.now() + 30_000;
      for (;;) {
        child = launch();
        try {
          await waitUntilAccepting(adminUrl, child, () => log);
          return;
        } catch (err) {
          // the old backends may still hold the shared memory or the port for a moment
          if (Date.now() > deadline) throw err;
          await exited(child);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    },
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        const gone = exited(child);
        child.kill('SIGINT'); // fast shutdown
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error('running as root but there is no `postgres` user to run PostgreSQL as (apt-get install postgresql creates it)');
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitUntilAccepting(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`postgres exited (${child.exitCode ?? child.signalCode}) before accepting connections:\n${log()}`);
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections in 30 s: ${String(error)}\n${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
