// What clients may send as a prompt (the shapes only, in a module of their own: the typed client and the console take
// their types from it without the code that shapes prompts): ACP content blocks, or the `{role, content}` form
// API.txt shows, and `embedded_context` files.
import { z } from 'zod';

const text = z.object({ type: z.literal('text'), text: z.string(), annotations: z.unknown().optional() }).loose();
const image = z.object({ type: z.literal('image'), data: z.string(), mimeType: z.string(), uri: z.string().optional() }).loose();
const audio = z.object({ type: z.literal('audio'), data: z.string(), mimeType: z.string() }).loose();
const resourceLink = z.object({ type: z.literal('resource_link'), uri: z.string(), name: z.string() }).loose();
const resource = z
  .object({
    type: z.literal('resource'),
    resource: z.union([
      z.object({ uri: z.string(), text: z.string(), mimeType: z.string().optional() }).loose(),
      z.object({ uri: z.string(), blob: z.string(), mimeType: z.string().optional() }).loose(),
    ]),
  })
  .loose();

export const contentBlockSchema = z.discriminatedUnion('type', [text, image, audio, resourceLink, resource]);
export type ContentBlock = z.infer<typeof contentBlockSchema>;

const roleMessage = z.object({ role: z.literal('user'), content: z.union([z.string(), z.array(contentBlockSchema).min(1)]) });

export const messagesSchema = z.array(z.union([contentBlockSchema, roleMessage])).min(1, 'at least one message is required');

export const embeddedContextSchema = z.array(
  z.object({ type: z.literal('file'), path: z.string().min(1), content: z.string(), mime_type: z.string().optional() }),
);
