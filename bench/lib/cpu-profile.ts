// Where the CPU time of a `node --cpu-prof` profile goes: self time per function, inclusive time per function of
// the project (each sample counted once per function on its stack), and self time per area (a src/ folder, an npm
// package, node internals, GC, V8/native). Idle samples are left out — and V8 counts as idle whatever runs while
// Node waits in its event loop without JS on the stack: uWS's native HTTP parsing and socket writes included. So
// the percentages are shares of the time spent in JS and the bindings it calls, not of the process's CPU time.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  ms: number;
  pct: number;
}

export interface ProfileSummary {
  /** non-idle sampled time in the window (JS and the bindings it calls), ms */
  busy_ms: number;
  window_ms: number;
  self: ProfileEntry[];
  inclusive: ProfileEntry[];
  areas: ProfileEntry[];
}

function shortUrl(url: string): string {
  const u = url.replace(/^file:\/\//, '');
  const src = u.lastIndexOf('/src/');
  const nm = u.lastIndexOf('/node_modules/');
  if (nm !== -1) return u.slice(nm + '/node_modules/'.length);
  if (src !== -1) return u.slice(src + 1);
  const bench = u.lastIndexOf('/bench/');
  if (bench !== -1) return u.slice(bench + 1);
  return u;
}

function area(f: CallFrame): string {
  if (f.functionName === '(garbage collector)') return 'GC';
  if (f.functionName === '(program)') return 'V8/native (program)';
  const u = shortUrl(f.url);
  if (u === '') return 'native (bindings: sqlite, uWS, ...)';
  if (u.startsWith('node:')) return 'node internals';
  if (u.startsWith('src/') || u.startsWith('bench/')) return u.split('/').slice(0, 2).join('/');
  const parts = u.split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

function key(f: CallFrame): string {
  const u = shortUrl(f.url);
  return `${f.functionName || '(anonymous)'}${u ? ` ${u}:${f.lineNumber + 1}` : ''}`;
}

/** The newest .cpuprofile in `dir`. */
export function newestProfile(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}`);
  return join(dir, files[files.length - 1]!);
}

export function summariseProfile(file: string, o: { top?: number; fromMs?: number; untilMs?: number } = {}): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const top = o.top ?? 12;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const areas = new Map<string, number>();
  const from = (o.fromMs ?? 0) * 1000;
  const until = o.untilMs === undefined ? Infinity : o.untilMs * 1000;
  let t = 0;
  let busy = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    t += dt;
    if (t < from || t > until) continue;
    const node = byId.get(p.samples[i]!)!;
    if (node.callFrame.functionName === '(idle)') continue;
    busy += dt;
    const k = key(node.callFrame);
    self.set(k, (self.get(k) ?? 0) + dt);
    const a = area(node.callFrame);
    areas.set(a, (areas.get(a) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      const u = shortUrl(f.url);
      if (!u.startsWith('src/') && !u.startsWith('bench/')) continue;
      const fk = key(f);
      if (seen.has(fk)) continue;
      seen.add(fk);
      incl.set(fk, (incl.get(fk) ?? 0) + dt);
    }
  }
  const list = (m: Map<string, number>, n: number): ProfileEntry[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, pct: busy > 0 ? Math.round((1000 * us) / busy) / 10 : 0 }));
  return {
    busy_ms: Math.round(busy / 1000),
    window_ms: Math.round(Math.min(t, until) / 1000 - from / 1000),
    self: list(self, top),
    inclusive: list(incl, top),
    areas: list(areas, top),
  };
}

/** A few lines people can read in a note. */
export function profileText(s: ProfileSummary, n = 6): string {
  const fmt = (e: ProfileEntry[]) => e.slice(0, n).map((x) => `${x.name} ${x.pct}%`).join('; ');
  return `${s.busy_ms} ms sampled in JS/bindings of a ${s.window_ms} ms window. By area: ${fmt(s.areas)}. Self: ${fmt(s.self)}. Inclusive (project code): ${fmt(s.inclusive)}`;
}
