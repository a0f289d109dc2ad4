// Errors the event store throws or rejects with. A conflict is not among them: it is an AppendResult.

/** The arguments of a store call are invalid (bad stream id, event type, non-JSON data, ...). */
export class InvalidArgumentError extends TypeError {
  override readonly name = 'InvalidArgumentError';
}

/** The store was closed (or is closing); nothing more can be queued or read. */
export class StoreClosedError extends Error {
  override readonly name = 'StoreClosedError';
  constructor(operation: string) {
    super(`event store is closed: cannot ${operation}`);
  }
}

/**
 * A batch could not be committed (disk full, I/O error, constraint violation, ...). Every append of the batch
 * rejects with this error and nothing of the batch is in the log; `cause` holds the SQLite error.
 */
export class StoreWriteError extends Error {
  override readonly name = 'StoreWriteError';
}

/**
 * After a failed batch the store could not re-read its own head from the database, so it cannot tell what is
 * committed: it refuses further writes rather than risk a broken hash chain. Reopen the store to recover.
 */
export class StoreFailedError extends Error {
  override readonly name = 'StoreFailedError';
}

/** The database was written by a newer build (its schema version is higher than this code knows). */
export class SchemaVersionError extends Error {
  override readonly name = 'SchemaVersionError';
}

/**
 * A fenced append (AppendOptions.fence) whose node no longer holds the lease at that epoch: another node took the
 * actor over (or the lease is gone). Nothing of that append is in the log; the other appends of its batch commit.
 */
export class FencedError extends Error {
  override readonly name = 'FencedError';
  constructor(
    readonly streamId: string,
    readonly fence: { key: string; epoch: number },
    /** who holds the lease now (undefined: nobody) */
    readonly holder: { nodeId: string; epoch: number } | undefined,
  ) {
    super(
      `append to ${streamId} refused: lease ${fence.key} epoch ${fence.epoch} is no longer this node's ` +
        (holder ? `(held by ${holder.nodeId} at epoch ${holder.epoch})` : '(no such lease)'),
    );
  }
}
