// Audit of the event log: chain verification and NDJSON export, for the REST routes (live store) and the CLI
// (a database file opened read-only).
export { type AuditSource, type VerifyReport, verifyReport } from './verify-report.js';
export { type AnchorOptions, type AnchoredVerification, reportFor, verifyAnchored } from './anchored-verify.js';
export { AuditKey, AuditKeyError, loadOrCreateAuditKey, readAuditKey } from './audit-key.js';
export { type SinkConfig, type SinkReading, parseSink, readSinkFile, sinkLine } from './checkpoint-sink.js';
export { AuditCheckpointer } from './checkpointer.js';
export { type ExpectedHead, expectedHeadSchema, formatHead } from './expected-head.js';
export { type ExportLine, exportLine } from './export-line.js';
export { EXPORT_BATCH_BYTES, checkpointBatches, ndjsonBatches } from './export-batches.js';
export {
  EXPORT_FILTER_FIELDS, type ExportFilterInput, type ExportFilterResult, exportFilterFromQuery, exportFilterSchema, parseExportFilter,
} from './export-filter.js';
export { parseTimeBound } from './time-bound.js';
export { AuditOpenError, type ReadOnlyLog, openReadOnlyLog } from './readonly-log.js';
export { writeChunks, type WriteOutcome } from './write-batches.js';
