// The JSON of the audit routes: the verify report (src/audit/verify-report.ts) and one export line.
import { z } from 'zod';
import { eventViewSchema } from './events.js';

export const verifyReportSchema = z
  .object({
    ok: z.boolean(),
    checked: z.number().int(),
    first_bad_position: z.number().int().optional(),
    reason: z.string().optional(),
    checkpoint_seq: z.number().int().optional(),
    /** when ok: the head verified, POSITION:HASH (what ?expect_head= takes later) */
    head: z.string().optional(),
    checkpoints: z
      .object({ count: z.number().int(), last_position: z.number().int().nullable(), sink: z.number().int().optional(), mac: z.enum(['verified', 'unchecked']) })
      .optional(),
  })
  .meta({ id: 'VerifyReport' });

export const exportLineSchema = z
  .object({
    ...eventViewSchema.shape,
    prev_hash: z.string(),
    hash: z.string(),
    invalid_json: z.array(z.enum(['data', 'meta'])).optional(),
  })
  .meta({ id: 'ExportLine' });
