// The bytes a directory tree holds (regular files, symlinks counted by their own size, never followed).
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export async function treeBytes(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0; // not there yet, or removed meanwhile
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await treeBytes(p);
    else total += await lstat(p).then((s) => s.size, () => 0);
  }
  return total;
}
