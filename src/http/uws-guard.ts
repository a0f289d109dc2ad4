// A throw inside a uWS callback is not an ordinary exception: uWS reports it as uncaught, and a request handler that
// threw without answering makes uWS abort the whole process ("Returning from a request handler without responding
// or attaching an abort handler is forbidden"). One malformed request must never do that, so every callback the
// gateway hands to uWS goes through one of these wrappers: the error is logged and, for a request, answered 500.
import type { HttpRequest, HttpResponse } from './uws.js';
import { errorBody, statusLine } from './errors.js';
import type { Logger } from '../log/logger.js';

/** Answer 500 on a response a handler threw on, unless it already ended (then uWS refuses: nothing more to do). */
export function answerInternalError(res: HttpResponse): void {
  try {
    res.cork(() => {
      res.writeStatus(statusLine(500)).writeHeader('content-type', 'application/json').end(errorBody('internal', 'internal server error'), true);
    });
  } catch {
    try {
      res.onAborted(() => undefined); // still open but not writable: at least keep uWS from aborting the process
    } catch {
      /* the response had ended: nothing is owed */
    }
  }
}

/** A uWS request handler that answers 500 instead of ending the process when it throws. */
export function guardRequest(
  logger: Logger,
  what: string,
  handler: (res: HttpResponse, req: HttpRequest) => void,
): (res: HttpResponse, req: HttpRequest) => void {
  // fixed parameters rather than a rest array: nothing allocated per request
  return (res, req) => {
    try {
      handler(res, req);
    } catch (e) {
      logger.error('request handler threw', { where: what, error: describe(e) });
      answerInternalError(res);
    }
  };
}

/** The same for a WebSocket upgrade handler, which also gets the socket context. */
export function guardUpgrade<C>(
  logger: Logger,
  what: string,
  handler: (res: HttpResponse, req: HttpRequest, context: C) => void,
): (res: HttpResponse, req: HttpRequest, context: C) => void {
  return (res, req, context) => {
    try {
      handler(res, req, context);
    } catch (e) {
      logger.error('request handler threw', { where: what, error: describe(e) });
      answerInternalError(res);
    }
  };
}

/** Any other uWS callback (WebSocket events, onWritable, onData): a throw is logged and `fallback` returned. */
export function guardCallback<A extends unknown[], R>(logger: Logger | undefined, what: string, fallback: R, fn: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    try {
      return fn(...args);
    } catch (e) {
      logger?.error('uWS callback threw', { where: what, error: describe(e) });
      return fallback;
    }
  };
}

function describe(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
