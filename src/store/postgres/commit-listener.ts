// Hears about other nodes' commits: one connection LISTENs on the commit channel, and a slow poll runs beside it
// as the safety net (a notification lost with a dropped connection, a server restart). Either only says "look":
// the store then reads the rows after its mirror head from the table, so nothing depends on what a notification
// carried. A dropped LISTEN connection is re-made after a short pause, followed by a look.
import pg from 'pg';
import { NOTIFY_CHANNEL } from './schema.js';

export interface CommitListenerOptions {
  url: string;
  applicationName: string;
  pollMs: number;
  /** something may have been committed (up to `position`, when a notification said so): catch up from the table */
  look(position?: number): void;
  error(error: unknown, context: string): void;
}

const RECONNECT_MS = 250;

export class CommitListener {
  private client: pg.Client | undefined;
  private readonly poll: NodeJS.Timeout;
  private reconnect: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly o: CommitListenerOptions) {
    this.poll = setInterval(() => o.look(), o.pollMs);
    this.poll.unref();
  }

  /** Connect and LISTEN (resolves once listening; rejects if the first connection fails). */
  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.o.url, application_name: this.o.applicationName });
    client.on('notification', (n) => this.o.look(n.payload === undefined ? undefined : Number(n.payload)));
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, undefined));
    await client.connect();
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
    this.client = client;
    // the connection must not keep the process alive by itself (ref'd again to be ended: see stop)
    socketOf(client)?.unref();
  }

  private lost(client: pg.Client, err: Error | undefined): void {
    if (this.stopped || this.client !== client) return;
    this.client = undefined;
    if (err) this.o.error(err, 'postgres store: LISTEN connection lost; reconnecting');
    client.end().catch(() => undefined);
    this.retry();
  }

  private retry(): void {
    if (this.stopped || this.reconnect !== undefined) return;
    this.reconnect = setTimeout(() => {
      this.reconnect = undefined;
      this.start().then(
        () => this.o.look(), // whatever was announced while nobody listened
        (err: unknown) => {
          this.o.error(err, 'postgres store: LISTEN reconnect failed; retrying');
          this.retry();
        },
      );
    }, RECONNECT_MS);
    this.reconnect.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poll);
    clearTimeout(this.reconnect);
    const client = this.client;
    this.client = undefined;
    socketOf(client)?.ref();
    await client?.end().catch(() => undefined);
  }
}

function socketOf(client: pg.Client | undefined): { ref(): void; unref(): void } | undefined {
  return (client as unknown as { connection?: { stream?: { ref(): void; unref(): void } } } | undefined)?.connection?.stream;
}
