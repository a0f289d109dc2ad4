// The gateway's errors as JSON-RPC errors for a remote ACP client, and a turn's end as a prompt response.
import { RequestError } from '@agentclientprotocol/sdk/unstable';
import { HttpError } from '../errors/http-error.js';
import { Rejected, rejectionStatus } from '../errors/rejection.js';
import type { TurnResult } from '../sessions/turn-ledger.js';

/** 400 → invalid params, 404 → resource not found, the rest → internal error; the API's code travels in `data`. */
export function rpcErrorOf(e: unknown): Error {
  if (e instanceof RequestError) return e;
  const api = e instanceof HttpError ? { status: e.status, code: e.code, message: e.message } : e instanceof Rejected ? { status: rejectionStatus(e.code), code: e.code, message: e.message } : undefined;
  if (!api) return RequestError.internalError(undefined, e instanceof Error ? e.message : String(e));
  const rpc = api.status === 400 || api.status === 413 ? -32602 : api.status === 404 ? -32002 : -32603;
  return new RequestError(rpc, api.message, { code: api.code, status: api.status });
}

/** ACP stop reasons: a failed turn is an error response, everything else a stop reason. */
export function toStopReason(r: TurnResult): { stopReason: string; usage?: unknown } {
  if (r.outcome === 'failed') throw new RequestError(-32603, r.error?.message ?? 'the turn failed', { code: r.error?.code ?? 'prompt_failed' });
  const stopReason = r.stop_reason ?? (r.outcome === 'completed' ? 'end_turn' : 'cancelled');
  const usage = acpUsage(r.usage);
  return { stopReason, ...(usage ? { usage } : {}) };
}

/** The usage as the agent reported it (ACP's own shape), when it reported one. */
function acpUsage(u: unknown): Record<string, unknown> | undefined {
  if (!u || typeof u !== 'object' || Array.isArray(u)) return undefined;
  const o = u as Record<string, unknown>;
  return typeof o.totalTokens === 'number' || typeof o.inputTokens === 'number' ? o : undefined;
}
