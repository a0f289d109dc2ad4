// Small shapes shared by the response schemas.
import { z } from 'zod';

/** an ISO 8601 time in UTC, or null when not known */
export const isoTime = z.string();
export const isoTimeOrNull = isoTime.nullable();

/** data the gateway passes through as the agent (or a client) gave it: any JSON */
export const anyJson = z.unknown();

/** a code and a message, as errors are recorded on sessions and turns */
export const codeMessage = z.object({ code: z.string(), message: z.string() });
