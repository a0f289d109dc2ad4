// The ACP SDK, loaded when the first agent process starts rather than at boot: its module graph (the protocol's zod
// schemas are built as it loads) is among the heaviest of the gateway, and a gateway restarting over many idle
// sessions starts no agent until one is prompted. Code that runs only with a live connection uses `acpSdk()`.
type Sdk = typeof import('@agentclientprotocol/sdk');

let loaded: Sdk | undefined;
let loading: Promise<Sdk> | undefined;

/** Load the SDK (once). */
export function loadAcpSdk(): Promise<Sdk> {
  return (loading ??= import('@agentclientprotocol/sdk').then((m) => (loaded = m)));
}

/** The SDK, which must be loaded already (every caller runs on behalf of a connection that loaded it). */
export function acpSdk(): Sdk {
  if (!loaded) throw new Error('the ACP SDK is used before any agent connection loaded it');
  return loaded;
}

/** A JSON-RPC error for the agent, as the SDK sends it (`RequestError`). */
export function rpcError(code: number, message: string, data?: unknown): Error {
  return new (acpSdk().RequestError)(code, message, data);
}

/** Whether `e` is the SDK's RequestError (false before the SDK is loaded: nothing can have thrown one yet). */
export function isRpcError(e: unknown): boolean {
  return loaded !== undefined && e instanceof loaded.RequestError;
}
