// How the client commands print: JSON for scripts (--json), aligned columns for people, and a progress line on
// stderr while waiting (only on a terminal, so pipes and logs stay clean).

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** One JSON value per line (streams: events, prompt frames). */
export function printJsonLine(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

/** Rows as aligned columns with a header line; `(none)` for no rows. */
export function printTable(rows: readonly Record<string, unknown>[], columns: readonly string[]): void {
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: readonly string[]) => values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!))).join('  ');
  process.stdout.write(line(columns.map((c) => c.toUpperCase())) + '\n');
  for (const row of cells) process.stdout.write(line(row) + '\n');
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** key: value lines */
export function printFields(fields: Record<string, unknown>): void {
  const width = Math.max(...Object.keys(fields).map((k) => k.length));
  for (const [k, v] of Object.entries(fields)) process.stdout.write(`${k.padEnd(width)}  ${cell(v)}\n`);
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * "waiting for ..." on stderr: a spinner on a terminal, one plain line otherwise (so a log shows what it waited for).
 * stop() clears it before anything else is printed.
 */
export class Progress {
  private timer: NodeJS.Timeout | undefined;
  private shown = false;
  /** without a terminal: the last message printed, so that a wait repeated between frames is told once */
  private told: string | undefined;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  start(message: string): void {
    this.stop();
    if (!this.out.isTTY) {
      if (this.told !== message) this.out.write(`${message}\n`);
      this.told = message;
      return;
    }
    let i = 0;
    const started = Date.now();
    const draw = () => {
      const secs = Math.floor((Date.now() - started) / 1000);
      this.out.write(`\r\x1b[2K${FRAMES[i++ % FRAMES.length]} ${message} ${secs}s`);
      this.shown = true;
    };
    draw();
    this.timer = setInterval(draw, 100);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.shown) this.out.write('\r\x1b[2K');
    this.shown = false;
  }

  /** Run `work` with the progress line shown. */
  async while<T>(message: string, work: Promise<T>): Promise<T> {
    this.start(message);
    try {
      return await work;
    } finally {
      this.stop();
    }
  }
}
