// Audit: verify the hash chain of the log, and export it (or a filtered part of it) as NDJSON, streamed in
// constant memory. Both read the database (verify walks the stored rows each time; nothing is cached).
import type { Route } from '../router.js';
import { HttpError } from '../errors.js';
import type { GatewayServices } from '../services.js';
import { exportFilterFromQuery, ndjsonBatches, verifyLog } from '../../audit/index.js';
import { streamNdjson } from '../ndjson-response.js';

export function auditRoutes(gw: GatewayServices): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/audit/verify',
      handler: (ctx) => {
        if ([...ctx.query.keys()].length > 0) throw new HttpError(400, 'invalid_request', 'query: verify takes no parameters');
        return { status: 200, json: verifyLog(gw.store) };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/audit/export',
      handler: (ctx) => {
        const parsed = exportFilterFromQuery(ctx.query);
        if (!parsed.ok) throw new HttpError(400, 'invalid_request', `query: ${parsed.field}: ${parsed.message}`);
        // The export is the log as of now (iterate fixes its upper bound at the call); appends continue meanwhile.
        const chunks = ndjsonBatches(gw.store.iterate(parsed.filter));
        streamNdjson(ctx, chunks, {
          onError: (error, headersSent) =>
            gw.logger.error('audit export failed', {
              request_id: ctx.requestId,
              headers_sent: headersSent,
              error: error instanceof Error ? (error.stack ?? error.message) : String(error),
            }),
        });
        return undefined;
      },
    },
  ];
}
