// Failover time of a cluster: three `aintegrix serve` nodes on one PostgreSQL (fsync on; test/helpers/cluster.ts), a
// session with one finished turn on one node, that node killed -9, and the next prompt sent at once to another node
// and retried while it answers 503 (the owner unreachable, its lease not yet expired) or 409: the time from the
// kill to the prompt's answer, with the conversation intact, on the node that took the session over. Each kill is one
// sample (10, quick: 3), the killed node is restarted between kills (not timed), owners rotate over the nodes.
// The lease TTL is the floor of this figure (a dead node's leases are taken only once expired), so it is the
// baseline: the ratio says how much the takeover (sweep, restore from the log, agent re-attached) adds to it.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchContext, Figure } from '../lib/figure.js';
import { row } from '../lib/results.js';
import { sleep } from '../lib/proc.js';
import { median, sig } from '../lib/stats.js';
import { createTestDatabase, startPostgres } from '../../test/helpers/postgres.js';
import { type ClusterNode, type TestCluster, says, startCluster } from '../../test/helpers/cluster.js';

const LEASE_TTL_SECS = 3;
const HEARTBEAT_SECS = 0.5;
/** a prompt still refused after this long is a failed failover, not a slow one */
const GIVE_UP_MS = 120_000;

interface Kill {
  ms: number;
  /** prompts refused (503/409) before the one answered */
  retries: number;
  from: string;
  to: string;
}

/** Answers the next prompt through `via` as soon as the cluster serves it; how long and how many refusals. */
async function promptUntilAnswered(via: ClusterNode, id: string, text: string): Promise<{ answer: any; retries: number }> {
  const deadline = performance.now() + GIVE_UP_MS;
  for (let retries = 0; ; retries++) {
    const r = await via.api('POST', `/api/v1/sessions/${id}/prompt`, says(text)).catch((e: Error) => ({ status: 0, body: e.message }));
    if (r.status === 200) return { answer: r.body, retries };
    if (![0, 409, 502, 503].includes(r.status) || performance.now() > deadline) {
      throw new Error(`the prompt after the kill failed: ${r.status} ${JSON.stringify(r.body)}\n${via.id} said:\n${via.output().slice(-4000)}`);
    }
    await sleep(20);
  }
}

async function oneKill(cluster: TestCluster, k: number): Promise<Kill> {
  const live = cluster.live();
  const owner = live[k % live.length]!;
  const via = live[(k + 1) % live.length]!;
  const created = await owner.api('POST', '/api/v1/sessions', { agent: 'demo' });
  if (created.status !== 201) throw new Error(`session create on ${owner.id}: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.id as string;
  const first = await owner.api('POST', `/api/v1/sessions/${id}/prompt`, says(`remember failover-${k}`));
  if (first.status !== 200) throw new Error(`first prompt: ${first.status} ${JSON.stringify(first.body)}`);
  const lease = await cluster.lease(`session:${id}`);
  if (lease?.nodeId !== owner.id) throw new Error(`session ${id} is not owned by ${owner.id} (${JSON.stringify(lease)})`);

  const t0 = performance.now();
  await owner.kill();
  const { answer, retries } = await promptUntilAnswered(via, id, '/history');
  const ms = performance.now() - t0;
  if (answer.outcome !== 'completed' || !String(answer.text).includes(`remember failover-${k}`)) {
    throw new Error(`the answer after the kill lost the conversation: ${JSON.stringify(answer).slice(0, 500)}`);
  }
  const to = (await cluster.lease(`session:${id}`))?.nodeId ?? '?';
  // closed, so the nodes' session limits never fill up over the kills
  const closed = await via.api('DELETE', `/api/v1/sessions/${id}`);
  if (closed.status >= 300) throw new Error(`closing ${id}: ${closed.status} ${JSON.stringify(closed.body)}`);
  await owner.restart();
  return { ms, retries, from: owner.id, to };
}

export const clusterFailover: Figure = {
  id: 'cluster-failover',
  title: 'failover: owner killed (-9) → next prompt answered on another node',
  async run(ctx: BenchContext) {
    const kills = ctx.quick ? 3 : 10;
    const server = await startPostgres({ durable: true });
    let cluster: TestCluster | undefined;
    try {
      cluster = await startCluster({
        nodes: 3,
        databaseUrl: await createTestDatabase('bench_failover', server),
        leaseTtlSecs: LEASE_TTL_SECS,
        heartbeatSecs: HEARTBEAT_SECS,
        dir: join(ctx.tmp, 'cluster'),
        env: { AINTEGRIX_LOG_LEVEL: 'warn' },
        startTimeoutMs: 300_000,
      });
      const samples: Kill[] = [];
      for (let k = 0; k < kills; k++) {
        const s = await oneKill(cluster, k);
        ctx.log(`cluster-failover kill ${k + 1}/${kills}: ${s.from} killed, answered by ${s.to} after ${Math.round(s.ms)} ms (${s.retries} refusals)`);
        samples.push(s);
      }
      const ttlMs = LEASE_TTL_SECS * 1000;
      const beyond = median(samples.map((s) => s.ms - ttlMs));
      return [
        row(
          `failover p50 over ${kills} kills (owner killed -9 → next prompt answered on another node)`,
          'ms',
          samples.map((s) => ({ value: s.ms, baseline: ttlMs, ratio: s.ms / ttlMs })),
          {
            baselineName: `the lease TTL (cluster.lease_ttl_secs ${LEASE_TTL_SECS}, heartbeat_secs ${HEARTBEAT_SECS})`,
            notes: [
              `p50 beyond the TTL: ${sig(beyond, 3)} ms; samples (ms): ${samples.map((s) => Math.round(s.ms)).join(', ')}`,
              'three nodes and their demo agents on this machine (unpinned), PostgreSQL with fsync on; the prompt is sent to a surviving node at once and retried every 20 ms while refused',
              'the figure scales with lease_ttl_secs (default 10): a dead node\'s leases are taken over once expired',
            ],
          },
        ),
      ];
    } finally {
      await cluster?.dispose();
      await server.stop();
    }
  },
};
