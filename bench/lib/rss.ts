// Memory readings of a gateway process for the RSS figures: the gateway is started with the inspector on
// (`--inspect=127.0.0.1:0`) so that a full GC can be asked before VmRSS is read, and garbage does not decide the
// figure; the JS heap in use is read beside it. VmRSS is the gateway process alone: its agents are other processes.
import type { BenchContext } from './figure.js';
import { startGateway, type GatewayProcess, type GatewaySpec } from './gateway.js';
import { Inspector } from './inspector.js';
import { sleep } from './proc.js';

export interface Memory {
  rssKiB: number;
  heapKiB: number;
}

/** After a full GC: the lowest of a few VmRSS samples over ~1 s, and the JS heap in use. */
export async function memory(gw: GatewayProcess, inspector: Inspector): Promise<Memory> {
  await sleep(500);
  const { heapUsedKiB } = await inspector.collect();
  await sleep(300);
  let min = Infinity;
  for (let i = 0; i < 5; i++) {
    min = Math.min(min, gw.rssKiB());
    await sleep(150);
  }
  return { rssKiB: min, heapKiB: heapUsedKiB };
}

/** Start a gateway with the inspector on, measure it with `fn`, stop it. */
export async function withInspectedGateway<T>(ctx: BenchContext, spec: GatewaySpec, fn: (gw: GatewayProcess, inspector: Inspector) => Promise<T>): Promise<T> {
  const { gateway } = await startGateway(ctx.tools, ctx.tmp, { ...spec, nodeArgs: [...(spec.nodeArgs ?? []), '--inspect=127.0.0.1:0'] });
  try {
    const inspector = await Inspector.attach(gateway.child);
    try {
      return await fn(gateway, inspector);
    } finally {
      inspector.close();
    }
  } finally {
    await gateway.stop();
  }
}
