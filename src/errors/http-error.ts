// The one error shape of the API: {"error": {"code", "message"}} (API.txt), with the HTTP status it is answered
// with. Services below the HTTP layer (sessions, approvals) throw it too: its code and status are part of the API's
// contract, whichever surface (REST, WebSocket, MCP) reports it.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export function errorBody(code: string, message: string, details?: unknown): string {
  return JSON.stringify({ error: details === undefined ? { code, message } : { code, message, details } });
}
