// The typed client of the aintegrix API (see README "OpenAPI and client").
export { AintegrixClient, ApiError, type ClientOptions } from './client.js';
export { OPERATIONS, type OperationId } from './operations.js';
export { bodyLines, sseFrames, type SseFrame } from './sse.js';
export type * from './types.js';
