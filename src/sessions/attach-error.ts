// Why an agent could not be attached to a session, with the HTTP status a client should see (the edges' table).
import { Rejected, rejectionStatus } from '../errors/rejection.js';

export type AttachErrorCode =
  | 'spawn_failed'
  | 'initialize_failed'
  | 'initialize_timeout'
  | 'session_new_failed'
  | 'session_timeout'
  | 'agent_auth_required'
  | 'agent_exited'
  | 'unknown_model'
  | 'model_not_supported'
  | 'set_model_failed'
  | 'agent_failed';

export class AttachError extends Error {
  readonly status: number;
  constructor(
    readonly code: AttachErrorCode,
    message: string,
    readonly stderrTail?: string,
  ) {
    super(message);
    this.status = rejectionStatus(code);
  }

  /** The domain refusal a service throws (the stderr tail of an agent that died on the way as details). */
  toRejected(): Rejected {
    return new Rejected(this.code, this.message, this.stderrTail ? { stderr_tail: this.stderrTail.slice(-2000) } : undefined);
  }
}

/** Reject after `ms` with an AttachError of `code`. */
export function withTimeout<T>(p: Promise<T>, ms: number, code: AttachErrorCode, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new AttachError(code, `${what} did not answer within ${Math.round(ms / 1000)} s`)), ms);
    t.unref();
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/** JSON-RPC error code of an error thrown by the SDK client (RequestError), if any. */
export function rpcCode(e: unknown): number | undefined {
  const c = (e as { code?: unknown })?.code;
  return typeof c === 'number' ? c : undefined;
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  const m = (e as { message?: unknown })?.message;
  return typeof m === 'string' ? m : String(e);
}
