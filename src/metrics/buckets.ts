// Histogram bucket bounds, chosen for what each measures (upper bounds; +Inf is implied). Changing one changes the
// series operators graph: the README lists them.

/** A turn: a one-line answer of a fast agent up to a long agentic run (prompt_timeout_secs defaults to 120 s). */
export const TURN_DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
/** Prompt recorded to the agent's first session/update: agent start-up and model latency. */
export const FIRST_UPDATE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** A person deciding an approval, up to the default approval_timeout_secs (300) and beyond. */
export const APPROVAL_WAIT_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
/** One group commit: a transaction with an fsync under durability strict (tens of µs under fast). */
export const COMMIT_SECONDS_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
/** Events in one group commit (a batch flushes at 512). */
export const COMMIT_EVENTS_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
/** An HTTP request, routing to answer (or to a stream taking the response over); prompts wait for their turn. */
export const HTTP_SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60];
