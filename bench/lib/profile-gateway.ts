// Run a workload against a gateway started under `node --cpu-prof`, stop it (the profile is written at exit) and
// summarise where its CPU time went, from the moment the workload calls `mark()` (so start-up and set-up are left
// out) to its end. Note: under CPU contention a descheduled thread still gets samples, so "busy" is wall time in
// JS/native code, not pure CPU time.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { newestProfile, summariseProfile, type ProfileSummary } from './cpu-profile.js';
import { startGateway, type GatewayProcess, type GatewaySpec } from './gateway.js';
import type { BenchContext } from './figure.js';

export async function profileGateway(
  ctx: BenchContext,
  spec: GatewaySpec,
  work: (gw: GatewayProcess, mark: () => void) => Promise<void>,
): Promise<ProfileSummary> {
  const dir = mkdtempSync(join(ctx.tmp, 'prof-'));
  const spawned = performance.now();
  const { gateway } = await startGateway(ctx.tools, ctx.tmp, { ...spec, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir] });
  let from = 0;
  let until: number | undefined;
  try {
    await work(gateway, () => {
      from = performance.now() - spawned;
    });
    until = performance.now() - spawned;
  } finally {
    await gateway.stop();
  }
  return summariseProfile(newestProfile(dir), { fromMs: from, untilMs: until });
}
