// Turning what clients send into the ACP prompt: `messages` may hold ACP content blocks, or the `{role, content}`
// form API.txt shows; `embedded_context` files become `resource` blocks when the agent supports embedded context
// (and plain text blocks otherwise, rather than being dropped as the original did); prefix/suffix apply.
import type { z } from 'zod';
import { Rejected } from '../errors/rejection.js';
import type { ContentBlock, embeddedContextSchema, messagesSchema } from './prompt-schemas.js';

export { contentBlockSchema, embeddedContextSchema, messagesSchema, type ContentBlock } from './prompt-schemas.js';

export interface PromptCapabilities {
  image?: boolean;
  audio?: boolean;
  embeddedContext?: boolean;
}

export interface PromptShaping {
  prefix?: string;
  suffix?: string;
  workspace: string;
  capabilities: PromptCapabilities;
  maxPromptBytes: number;
  /** blocks put before the client's (the first prompt's context: sessions/first-context.ts) */
  lead?: ContentBlock[];
}

/** Flatten messages into ACP content blocks. */
export function toContentBlocks(messages: z.infer<typeof messagesSchema>): ContentBlock[] {
  const out: ContentBlock[] = [];
  for (const m of messages) {
    if ('role' in m) {
      if (typeof m.content === 'string') out.push({ type: 'text', text: m.content });
      else out.push(...(m.content as ContentBlock[]));
    } else out.push(m);
  }
  return out;
}

export function shapePrompt(
  blocks: ContentBlock[],
  embedded: z.infer<typeof embeddedContextSchema> | undefined,
  s: PromptShaping,
): ContentBlock[] {
  for (const b of blocks) {
    if (b.type === 'image' && !s.capabilities.image) throw unsupported('image');
    if (b.type === 'audio' && !s.capabilities.audio) throw unsupported('audio');
    if (b.type === 'resource' && !s.capabilities.embeddedContext) throw unsupported('resource (embedded context)');
  }
  const out = blocks.map((b) => ({ ...b }));
  if (s.prefix || s.suffix) applyPrefixSuffix(out, s.prefix, s.suffix);
  for (const f of embedded ?? []) {
    const uri = `file://${f.path.startsWith('/') ? f.path : `${s.workspace.replace(/\/$/, '')}/${f.path}`}`;
    if (s.capabilities.embeddedContext) {
      out.push({ type: 'resource', resource: { uri, text: f.content, ...(f.mime_type ? { mimeType: f.mime_type } : {}) } });
    } else {
      out.push({ type: 'text', text: `--- ${f.path} ---\n${f.content}` });
    }
  }
  if (s.lead && s.lead.length > 0) out.unshift(...s.lead);
  const size = Buffer.byteLength(JSON.stringify(out));
  if (size > s.maxPromptBytes) {
    throw new Rejected('prompt_too_large', `prompt is ${size} bytes; the limit is ${s.maxPromptBytes}`);
  }
  return out;
}

/** The original's rule, kept: prefix + "\n" + first text, last text + "\n" + suffix; a text block is added if none. */
function applyPrefixSuffix(blocks: ContentBlock[], prefix?: string, suffix?: string): void {
  const textIdx = blocks.flatMap((b, i) => (b.type === 'text' ? [i] : []));
  if (prefix) {
    const i = textIdx[0];
    if (i === undefined) blocks.unshift({ type: 'text', text: prefix });
    else (blocks[i] as { text: string }).text = `${prefix}\n${(blocks[i] as { text: string }).text}`;
  }
  if (suffix) {
    const idx = blocks.flatMap((b, i) => (b.type === 'text' ? [i] : []));
    const i = idx[idx.length - 1];
    if (i === undefined || (prefix && idx.length === 1 && textIdx.length === 0)) blocks.push({ type: 'text', text: suffix });
    else (blocks[i] as { text: string }).text = `${(blocks[i] as { text: string }).text}\n${suffix}`;
  }
}

function unsupported(kind: string): Rejected {
  return new Rejected('unsupported_content', `the agent does not accept ${kind} content (see its promptCapabilities)`);
}

/** The plain text of a prompt (for logs, transcripts and MCP). */
export function promptText(blocks: readonly { type: string; text?: unknown }[]): string {
  return blocks
    .filter((b) => b.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text as string)
    .join('\n');
}
