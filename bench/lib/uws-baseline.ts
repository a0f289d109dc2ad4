// Starting the bare uWS baselines (separate processes on the server CPU).
import { benchScript } from './paths.js';
import { Child, SERVER_CPU, type Tools } from './proc.js';

export interface BaselineServer {
  child: Child;
  url: string;
  stop(): Promise<void>;
}

export async function startUwsBaseline(tools: Tools, script: 'uws-hello' | 'uws-fanout', arg?: unknown): Promise<BaselineServer> {
  const args = [benchScript(`baselines/${script}.js`), ...(arg === undefined ? [] : [JSON.stringify(arg)])];
  const child = new Child(tools, process.execPath, args, { cpu: SERVER_CPU });
  const m = await child.waitLine(/listening (\d+)/, 15_000, `${script} to listen`);
  return { child, url: `http://127.0.0.1:${m[1]}`, stop: () => child.stop(2000) };
}
