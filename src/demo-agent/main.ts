#!/usr/bin/env node
// The bundled demo ACP agent: deterministic scripted behaviours over JSON-RPC lines on stdin/stdout, used by
// `make run` and by the gateway's tests. Keep imports light: it is spawned by nearly every test.
import { Readable } from 'node:stream';
import { ndJsonStream } from '@agentclientprotocol/sdk/unstable';
import { buildAgentApp } from './agent-app.js';
import type { AgentState } from './agent-state.js';
import { OptionsError, parseOptions, USAGE } from './options.js';
import { SessionStore } from './session-store.js';
import { SessionRegistry } from './sessions.js';
import { StdoutChannel } from './stdout-channel.js';

function main(): void {
  let parsed;
  try {
    parsed = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    process.stderr.write(`demo agent: ${error.message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const options = parsed;

  // A client that goes away mid-write must not crash us with EPIPE: there is nobody left to talk to.
  process.stdout.on('error', () => process.exit(0));

  const channel = new StdoutChannel(process.stdout);
  const state: AgentState = {
    options,
    sessions: new SessionRegistry(new SessionStore(options.storeDir)),
    channel,
    clientCapabilities: {},
    authenticated: false,
  };
  const input = Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>;
  // Incoming lines are parsed by the SDK's ndJsonStream (which also answers junk with -32700 through
  // channel.writable); outgoing messages skip its encoder layer and go straight to the channel.
  const stream = { readable: ndJsonStream(channel.writable, input).readable, writable: channel.messages };
  const connection = buildAgentApp(state).connect(stream);
  // stdin closed (or the stream broke): the client is gone, and so are we — unless DEMO_AGENT_LINGER=1, which
  // imitates an agent that outlives its client (tests of the gateway's stray-process cleanup use it).
  void connection.closed.then(() => {
    channel.flush();
    if (process.env.DEMO_AGENT_LINGER === '1') setInterval(() => undefined, 60_000);
    else process.exit(0);
  });

  process.stderr.write(
    `demo agent ready (mode=${options.mode}, store=${options.storeDir ?? 'none'}, auth=${options.authRequired ? 'required' : 'none'}, ` +
      `fork=${options.fork}, list=${options.list}, close=${options.close}, set_model=${options.setModel}, ` +
      `config_options=${options.configOptions})\n`,
  );
}

main();
