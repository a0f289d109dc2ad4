// The test client's fs/* side: serves files from one temp directory and records every call, refusing
// relative paths and paths outside the root the way a confining client (the gateway) should.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative } from 'node:path';
import { RequestError } from '@agentclientprotocol/sdk/unstable';
import type { ClientApp } from '@agentclientprotocol/sdk/unstable';

export class FsHost {
  readonly calls: Array<{ method: string; path: string }> = [];

  constructor(readonly root: string) {}

  register(app: ClientApp): void {
    app.onRequest('fs/read_text_file', ({ params }) => {
      this.calls.push({ method: 'fs/read_text_file', path: params.path });
      const path = this.confine(params.path);
      let content: string;
      try {
        content = readFileSync(path, 'utf8');
      } catch {
        throw RequestError.resourceNotFound(params.path);
      }
      if (params.line != null || params.limit != null) {
        const start = (params.line ?? 1) - 1;
        const lines = content.split('\n');
        content = lines.slice(start, params.limit != null ? start + params.limit : undefined).join('\n');
      }
      return { content };
    });
    app.onRequest('fs/write_text_file', ({ params }) => {
      this.calls.push({ method: 'fs/write_text_file', path: params.path });
      const path = this.confine(params.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, params.content);
      return {};
    });
  }

  private confine(path: string): string {
    if (!isAbsolute(path)) throw RequestError.invalidParams({ path }, 'path must be absolute');
    const rel = relative(this.root, path);
    if (rel.startsWith('..') || isAbsolute(rel)) throw RequestError.invalidParams({ path }, 'path is outside the workspace');
    return path;
  }
}
