// Shared by the orchestration tests: agents that answer differently to the same task (by their prompt_prefix, which
// the gateway puts before every prompt), the request, and whether a session's agent processes are all gone.
import assert from 'node:assert/strict';
import type { TestGateway } from '../helpers/gateway.js';

/** Candidate and judge agents of the bundled demo agent, each answering the same task its own way. */
export const AGENTS: Record<string, Record<string, unknown>> = Object.fromEntries(
  Object.entries({
  demo: {},
  alpha: { prompt_prefix: 'alpha says' },
  beta: { prompt_prefix: 'beta says' },
  gamma: { prompt_prefix: 'gamma says' },
  delta: { prompt_prefix: 'delta says' },
  slowpoke: { prompt_prefix: '/slow 30' },
  steady: { prompt_prefix: '/slow 3' },
  failing: { prompt_prefix: '/fail' },
  'judge-beta': { prompt_prefix: '/verdict prefer=beta' },
  'judge-pick': { prompt_prefix: '/verdict pick=B' },
  'judge-garbage': { prompt_prefix: '/verdict garbage' },
  'judge-corrected': { prompt_prefix: '/verdict corrected' },
  'judge-failing': { prompt_prefix: '/fail' },
  'judge-slow': { prompt_prefix: '/slow 30' },
  }).map(([name, a]) => [name, { max_sessions: 16, ...a }]),
);

export function task(text = 'write a haiku') {
  return { messages: [{ role: 'user', content: text }] };
}

export async function orchestrate(g: TestGateway, body: Record<string, unknown>): Promise<any> {
  const r = await g.api('POST', '/api/v1/orchestrate', { ...task(), ...body });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

/** The pids of every agent process that served session `id`, from the agent process streams. */
export function agentPids(g: TestGateway, id: string): number[] {
  const pids: number[] = [];
  for (const e of g.gw.store.iterate({ type: 'AgentProcessSpawned' })) {
    const d = e.data as { session: string; pid: number };
    if (d.session === id) pids.push(d.pid);
  }
  return pids;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The orchestration's own events, by type. */
export function orchestrationEvents(g: TestGateway, id: string, type?: string) {
  return g.gw.store.readStream(`orchestration:${id}`).filter((e) => type === undefined || e.type === type);
}
