// The usage figures (src/usage/usage-query.ts): GET /usage and each session's `usage`.
import { z } from 'zod';

export const usageFiguresSchema = z
  .object({
    prompts: z.number().int(),
    turns: z.number().int(),
    input_tokens: z.number(),
    output_tokens: z.number(),
    cached_tokens: z.number(),
    /** amounts per currency */
    cost: z.record(z.string(), z.number()),
    /** false when no turn reported any usage (the token and cost figures are then zero because unknown) */
    usage_reported: z.boolean(),
    turns_without_usage: z.number().int(),
  })
  .meta({ id: 'UsageFigures' });

export const usageReportSchema = z
  .object({
    since: z.string().nullable(),
    until: z.string().nullable(),
    totals: usageFiguresSchema,
    groups: z.array(z.object({ key: z.string().nullable(), ...usageFiguresSchema.shape })),
  })
  .meta({ id: 'UsageReport' });
