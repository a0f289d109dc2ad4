// An expected head, `POSITION:HASH`: an event the verifier knows the log held (from an earlier verify's `head`, a
// sink line, a copy kept elsewhere). The log must still hold it: the event at POSITION with that stored hash, which
// by the chain pins every event before it. The log may have grown since, so later events are not a failure.
import { z } from 'zod';

export interface ExpectedHead {
  position: number;
  hash: string;
}

export const expectedHeadSchema = z
  .string()
  .regex(/^\d{1,16}:[0-9a-f]{64}$/, 'must be POSITION:HASH (a position, a colon, 64 lowercase hex digits)')
  .transform((text, ctx): ExpectedHead => {
    const [p, hash] = text.split(':') as [string, string];
    const position = Number(p);
    if (!Number.isSafeInteger(position) || position < 1) {
      ctx.addIssue({ code: 'custom', message: 'the position must be an integer >= 1' });
      return z.NEVER;
    }
    return { position, hash };
  });

export function formatHead(h: ExpectedHead): string {
  return `${h.position}:${h.hash}`;
}
