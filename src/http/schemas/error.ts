// The one error shape of the API (src/errors/http-error.ts), as the document and the typed client see it.
import { z } from 'zod';

export const errorSchema = z
  .object({
    error: z.object({
      /** machine-readable: `session_not_found`, `invalid_request`, ... (the status table: src/errors/rejection.ts) */
      code: z.string(),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error', description: 'Every error: {"error": {"code", "message", "details"?}}' });

export type ErrorBody = z.output<typeof errorSchema>;
