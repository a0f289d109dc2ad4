// The web console's built files: dist/ui (index.html and content-hashed assets), made by scripts/build-console.mjs
// in `make build` from src/ui/client. They are read once, on the first request, and kept in memory (a few tens of
// KiB): serving them never touches the disk again, and each gets its ETag from its bytes.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ConsoleFile {
  body: Buffer;
  contentType: string;
  etag: string;
}

export interface ConsoleAssets {
  index: ConsoleFile;
  /** by file name under /ui/assets/ (names carry a content hash: cached for good) */
  assets: Map<string, ConsoleFile>;
}

/** dist/ui, beside dist/src where this module is compiled to. */
export const CONSOLE_DIR = fileURLToPath(new URL('../../ui/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/** The built console, or undefined when it was not built (the routes then say how to build it). */
export function loadConsoleAssets(dir = CONSOLE_DIR): ConsoleAssets | undefined {
  const indexPath = join(dir, 'index.html');
  if (!existsSync(indexPath)) return undefined;
  const assets = new Map<string, ConsoleFile>();
  const assetDir = join(dir, 'assets');
  if (existsSync(assetDir)) {
    for (const name of readdirSync(assetDir)) {
      const type = CONTENT_TYPES[extname(name)];
      if (type) assets.set(name, consoleFile(readFileSync(join(assetDir, name)), type));
    }
  }
  return { index: consoleFile(readFileSync(indexPath), CONTENT_TYPES['.html']!), assets };
}

function consoleFile(body: Buffer, contentType: string): ConsoleFile {
  return { body, contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}
