// Reads one turn's raw `session/update` notifications (as the agent sent them, before any SDK validation) and keeps
// what the turn's result needs: the agent's message text, the last usage report, and which tool calls are still
// without an outcome. Unknown update kinds and malformed fields are tolerated: they are in the log regardless.

export class TurnCollector {
  private readonly textParts: string[] = [];
  private textLength = 0;
  private usage: unknown;
  private readonly openToolCalls = new Set<string>();

  constructor(
    readonly turn: number,
    /** cap on the text kept for the turn result (the full text stays in the log) */
    private readonly maxTextChars = 4 * 1024 * 1024,
  ) {}

  /** Feed one incoming raw message; ignores anything that is not a session/update. */
  observe(message: unknown): void {
    const m = message as { method?: unknown; params?: { update?: Record<string, unknown> } };
    if (m.method !== 'session/update') return;
    const update = m.params?.update;
    if (!update || typeof update !== 'object') return;
    switch (update.sessionUpdate) {
      case 'agent_message_chunk': {
        const content = update.content as { type?: unknown; text?: unknown } | undefined;
        if (content?.type === 'text' && typeof content.text === 'string' && this.textLength < this.maxTextChars) {
          this.textParts.push(content.text);
          this.textLength += content.text.length;
        }
        break;
      }
      case 'usage_update':
        this.usage = stripKind(update);
        break;
      case 'tool_call':
      case 'tool_call_update': {
        const id = update.toolCallId;
        if (typeof id !== 'string') break;
        const status = update.status;
        if (status === 'completed' || status === 'failed') this.openToolCalls.delete(id);
        else if (update.sessionUpdate === 'tool_call' || status === 'pending' || status === 'in_progress') this.openToolCalls.add(id);
        break;
      }
    }
  }

  get text(): string {
    return this.textParts.join('');
  }

  /** Usage for the turn: the prompt response's `usage` when present, else the last `usage_update`. */
  usageWith(responseUsage: unknown): unknown {
    if (responseUsage !== undefined && responseUsage !== null) {
      return this.usage === undefined ? responseUsage : { ...(responseUsage as object), context: this.usage };
    }
    return this.usage;
  }

  get toolCallsWithoutOutcome(): string[] {
    return [...this.openToolCalls];
  }
}

function stripKind(update: Record<string, unknown>): Record<string, unknown> {
  const { sessionUpdate: _kind, ...rest } = update;
  return rest;
}
