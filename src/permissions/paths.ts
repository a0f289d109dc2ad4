import { isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * The form a rule's `path` glob sees: relative to the workspace ('/'-separated, '.' for the root itself) when the path
 * is inside it, else the normalized absolute path. Purely lexical (`..` is resolved, symlinks are not): the fs
 * handlers confine real access separately.
 */
export function rulePathOf(workspaceRoot: string, path: string): string {
  const root = resolve(workspaceRoot);
  const absolute = resolve(root, path);
  const rel = relative(root, absolute);
  if (rel === '') return '.';
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return absolute;
  return sep === '/' ? rel : rel.split(sep).join('/');
}

/**
 * Every form a rule's `path` glob is tried against: the workspace-relative form and, for paths inside the workspace,
 * also the absolute one, so that a rule written as `/home/me/ws/secrets/**` is not silently ignored for a workspace
 * path (a deny rule that never matches would be the worst kind of surprise).
 */
export function rulePathForms(workspaceRoot: string, path: string): string[] {
  const absolute = resolve(workspaceRoot, path);
  const form = rulePathOf(workspaceRoot, absolute);
  return form === absolute ? [absolute] : [form, absolute];
}

/** Absolute, normalized; a relative path is taken relative to the workspace (where the agent works). */
export function absolutePath(workspaceRoot: string, path: string): string {
  return resolve(workspaceRoot, path);
}
