// Audit: verify the log (the hash chain, the signed checkpoints with the gateway's key, the configured sink, an
// optional expected head), and export it (or a filtered part of it) as NDJSON, streamed in constant memory. Both
// read the database: verify walks the stored rows in a worker thread each time (verify-service.ts), nothing cached.
import { z } from 'zod';
import type { Route } from '../router.js';
import { HttpError } from '../errors.js';
import type { GatewayServices } from '../services.js';
import { exportFilterFromQuery, expectedHeadSchema, ndjsonBatches } from '../../audit/index.js';
import { VerifyClosedError } from '../../audit/verify-service.js';
import { streamNdjson } from '../ndjson-response.js';
import { scopeFor } from '../scopes.js';
import { parseQuery } from '../validation.js';
import { exportFilterSchema } from '../../audit/export-filter.js';
import { exportLineSchema, verifyReportSchema } from '../schemas/audit.js';

const verifyQuerySchema = z
  .object({ expect_head: expectedHeadSchema.optional().describe('POSITION:HASH of an event the log must still hold (a head an earlier verify printed)') })
  .strict();


export function auditRoutes(gw: GatewayServices): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/audit/verify',
      scope: scopeFor('verify_audit'),
      doc: {
        operationId: 'verifyAudit',
        summary: 'Verify the log: the hash chain, the signed checkpoints, the sink, an expected head',
        tag: 'audit',
        query: verifyQuerySchema,
        responses: { 200: { description: 'the report (ok false names the first bad position and why)', json: verifyReportSchema } },
        errors: { 503: 'shutting_down' },
      },
      handler: async (ctx) => {
        const { expect_head } = parseQuery(verifyQuerySchema, ctx.query);
        try {
          return { status: 200, json: await gw.auditVerifier.verify(expect_head) };
        } catch (e) {
          if (e instanceof VerifyClosedError) throw new HttpError(503, 'shutting_down', e.message);
          throw e;
        }
      },
    },
    {
      method: 'GET',
      path: '/api/v1/audit/export',
      scope: scopeFor('export_audit'),
      doc: {
        operationId: 'exportAudit',
        summary: 'The log (or a filtered part) as NDJSON, one event per line with prev_hash and hash',
        tag: 'audit',
        query: exportFilterSchema,
        responses: {
          200: {
            description: 'the events in log order, streamed',
            media: { 'application/x-ndjson': { description: 'one ExportLine per line', item: exportLineSchema } },
          },
        },
      },
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
