// Public surface of the event store.
export * from './types.js';
export { openEventStore } from './sqlite-event-store.js';
export { openConfiguredEventStore, type OpenStoreOptions } from './open-store.js';
export { describePostgresUrl } from './postgres/url.js';
export { FencedError, InvalidArgumentError, SchemaVersionError, StoreClosedError, StoreFailedError, StoreWriteError } from './errors.js';
export { GENESIS_HASH, canonicalEventText, computeEventHash } from './hash.js';
export { SCHEMA_VERSION } from './schema.js';
