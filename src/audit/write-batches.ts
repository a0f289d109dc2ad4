// Writes chunks to a Node stream (stdout or a file) one at a time, waiting for each to be handed to the OS, so an
// export of any size runs in constant memory. A reader that goes away (EPIPE: `aintegrix audit export | head`) ends
// the export quietly; any other write error is thrown.
import type { Writable } from 'node:stream';

export type WriteOutcome = 'complete' | 'reader-closed';

export async function writeChunks(out: Writable, chunks: Iterable<string>): Promise<WriteOutcome> {
  let failure: NodeJS.ErrnoException | undefined;
  // Without a listener an EPIPE 'error' event would be an uncaught exception.
  const onError = (e: NodeJS.ErrnoException): void => {
    failure ??= e;
  };
  out.on('error', onError);
  try {
    for (const chunk of chunks) {
      // A `for...of` left by return/throw calls the generator's return(): the log reading stops with it.
      await new Promise<void>((resolve, reject) => {
        out.write(chunk, (e) => (e ? reject(e) : resolve()));
      }).catch((e: NodeJS.ErrnoException) => {
        failure ??= e;
      });
      if (failure) break;
    }
  } finally {
    out.off('error', onError);
    // keep swallowing a late EPIPE from the same broken pipe
    if (failure?.code === 'EPIPE') out.on('error', () => undefined);
  }
  if (failure === undefined) return 'complete';
  if (failure.code === 'EPIPE') return 'reader-closed';
  throw failure;
}
