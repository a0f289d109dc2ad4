// fs/read_text_file and fs/write_text_file, confined to the session workspace (acp-protocol.md §1.4).
// Failures are thrown as WorkspaceAccessError; the gateway answers them with toJsonRpcError(e) — a JSON-RPC
// error, never a "successful" result holding an error text (the original gateway's bug).
import { constants } from 'node:fs';
import path from 'node:path';
import { open, stat } from 'node:fs/promises';
import { z } from 'zod';
import { WorkspaceAccessError } from './errors.js';
import { confinePath, fsError } from './confine-path.js';
import { O_NOFOLLOW, O_NONBLOCK, assertOpenedInside, assertSingleLinkSameDevice, pathChanged } from './opened-path.js';
import { readLineWindow, readWholeFile } from './read-window.js';
import { ensureDirectoryInside, replaceFileAtomically } from './atomic-write.js';

export { toJsonRpcError } from './json-rpc-error.js';
export type { JsonRpcErrorObject } from './json-rpc-error.js';

export interface FileAccessLimits {
  /** Largest file (or line window) returned by a read, and largest content accepted by a write, in bytes. */
  maxBytes: number;
  /**
   * The real path the permission policy decided on (permissions/real-paths.ts): when given, the call is refused
   * ('path_changed') unless the path still resolves to it and the file opened is that file.
   */
  expectedPath?: string;
}

// null is accepted for "absent": some agents send nulls for optional fields.
const readParamsSchema = z.object({
  path: z.string(),
  line: z.number().int().min(1).nullish(),
  limit: z.number().int().min(0).nullish(),
});
const writeParamsSchema = z.object({ path: z.string(), content: z.string() });

export type ReadTextFileParams = z.input<typeof readParamsSchema>;
export type WriteTextFileParams = z.input<typeof writeParamsSchema>;

function parseParams<T>(schema: z.ZodType<T>, params: unknown): T {
  const parsed = schema.safeParse(params);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.join('.') || 'params';
  throw new WorkspaceAccessError('invalid_params', `invalid ${where}: ${issue?.message ?? 'malformed'}`);
}

/**
 * Reads a text file inside the workspace. Without line/limit the whole file is returned and a file over maxBytes
 * is 'too_large'. With line (1-based) and/or limit (lines), only that window is read and must fit in maxBytes,
 * so large files can be read a window at a time.
 */
export async function readTextFile(
  workspaceRoot: string,
  params: ReadTextFileParams,
  limits: FileAccessLimits,
): Promise<{ content: string }> {
  const { path: requested, line, limit } = parseParams(readParamsSchema, params);
  const { realRoot, path: target } = await confinePath(workspaceRoot, requested, { forWrite: false, expect: 'file' });
  if (limits.expectedPath !== undefined && target !== limits.expectedPath) throw pathChanged(requested);
  const rootDev = await deviceOf(realRoot, requested);

  let handle;
  try {
    // O_NOFOLLOW: if the checked file was swapped for a symlink since realpath, open fails (ELOOP) instead of following.
    handle = await open(target, constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (e) {
    throw fsError(e, requested);
  }
  try {
    // checked on the opened descriptor: what is read is the file checked, whatever changed since
    await assertOpenedInside(handle.fd, realRoot, requested, target);
    const stats = await handle.stat();
    if (stats.isDirectory()) throw new WorkspaceAccessError('is_directory', `is a directory: ${requested}`, requested);
    if (!stats.isFile()) {
      throw new WorkspaceAccessError('not_regular_file', `not a regular file: ${requested}`, requested);
    }
    assertSingleLinkSameDevice(stats, rootDev, requested);
    if (line == null && limit == null) {
      if (stats.size > limits.maxBytes) {
        throw new WorkspaceAccessError('too_large', `file is larger than ${limits.maxBytes} bytes: ${requested}`, requested);
      }
      return { content: await readWholeFile(handle, limits.maxBytes, requested) };
    }
    return { content: await readLineWindow(handle, line ?? 1, limit ?? undefined, limits.maxBytes, requested) };
  } catch (e) {
    throw e instanceof WorkspaceAccessError ? e : fsError(e, requested);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * Writes (creates or replaces) a text file inside the workspace. Missing parent directories are created — inside
 * the workspace only, after the confinement check. The file is replaced atomically (temp file + rename); an
 * existing file keeps its permission bits. An existing file with another hard link, or anything on another device
 * than the workspace, is refused like a read would be.
 */
export async function writeTextFile(
  workspaceRoot: string,
  params: WriteTextFileParams,
  limits: FileAccessLimits,
): Promise<void> {
  const { path: requested, content } = parseParams(writeParamsSchema, params);
  if (Buffer.byteLength(content, 'utf8') > limits.maxBytes) {
    throw new WorkspaceAccessError('too_large', `content is larger than ${limits.maxBytes} bytes: ${requested}`, requested);
  }
  const { realRoot, path: target, stats } = await confinePath(workspaceRoot, requested, { forWrite: true, expect: 'file' });
  if (limits.expectedPath !== undefined && target !== limits.expectedPath) throw pathChanged(requested);
  const rootDev = await deviceOf(realRoot, requested);
  if (stats !== undefined && !stats.isFile()) {
    throw new WorkspaceAccessError('not_regular_file', `not a regular file: ${requested}`, requested);
  }
  if (stats !== undefined) assertSingleLinkSameDevice(stats, rootDev, requested);
  await ensureDirectoryInside(realRoot, path.dirname(target), requested);
  await replaceFileAtomically(realRoot, target, content, stats === undefined ? undefined : stats.mode & 0o777, requested, rootDev);
}

/** The device of the workspace: files on another one (a mount inside the workspace) are refused. */
async function deviceOf(realRoot: string, requested: string): Promise<number> {
  try {
    return (await stat(realRoot)).dev;
  } catch (e) {
    throw fsError(e, requested);
  }
}
