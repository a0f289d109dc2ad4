// Turns the content blocks of a session/prompt into what the behaviours read: the concatenated text, the
// command (`/name`) with its arguments, and a short description of every non-text block.
import type { ContentBlock } from '@agentclientprotocol/sdk/unstable';

export interface ParsedPrompt {
  /** the text blocks concatenated, unchanged */
  text: string;
  /** `[resource_link file:///a]`-style notes for the non-text blocks, in order */
  attachments: string[];
  /** `/name` lower-cased without the slash, or null for plain text */
  command: string | null;
  /** everything after the command word, leading whitespace removed (keeps inner spacing for /write) */
  argText: string;
  /** argText split on whitespace */
  args: string[];
}

function describeBlock(block: ContentBlock): string | null {
  switch (block.type) {
    case 'text':
      return null;
    case 'resource_link':
      return `[resource_link ${block.uri}]`;
    case 'resource': {
      const r = block.resource;
      const size = 'text' in r ? `${r.text.length} chars` : `${r.blob.length} base64 chars`;
      return `[resource ${r.uri} (${size})]`;
    }
    case 'image':
      return `[image ${block.mimeType}]`;
    case 'audio':
      return `[audio ${block.mimeType}]`;
    default:
      return '[unknown block]';
  }
}

export function parsePrompt(blocks: readonly ContentBlock[]): ParsedPrompt {
  let text = '';
  const attachments: string[] = [];
  for (const block of blocks) {
    if (block.type === 'text') text += block.text;
    else {
      const note = describeBlock(block);
      if (note) attachments.push(note);
    }
  }
  const match = /^\s*\/([A-Za-z][\w-]*)(?:\s+|$)/.exec(text);
  if (!match) return { text, attachments, command: null, argText: '', args: [] };
  const argText = text.slice(match[0].length);
  return {
    text,
    attachments,
    command: match[1]!.toLowerCase(),
    argText,
    args: argText.split(/\s+/).filter((a) => a.length > 0),
  };
}
