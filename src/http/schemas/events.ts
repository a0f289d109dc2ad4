// A logged event as clients see it (src/streams/event-view.ts): REST pages, SSE frames, WebSocket, MCP.
import { z } from 'zod';

export const eventViewSchema = z
  .object({
    /** the log position: the one cursor (after=, Last-Event-ID) */
    position: z.number().int(),
    stream: z.string(),
    stream_position: z.number().int(),
    type: z.string(),
    at: z.string(),
    data: z.unknown(),
    meta: z.unknown(),
  })
  .meta({ id: 'Event' });

export const eventPageSchema = z
  .object({ events: z.array(eventViewSchema), next_after: z.number().int() })
  .meta({ id: 'EventPage' });
