// The files of a workspace, relative to it, for routing by file pattern: .git is skipped, symlinks are not followed,
// and the walk stops after `limit` files (a huge checkout cannot make routing slow).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

export async function workspaceFiles(root: string, limit = 20000): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (out.length >= limit) return;
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (e.name !== '.git') await walk(path);
      } else out.push(path);
    }
  };
  await walk('');
  return out;
}
