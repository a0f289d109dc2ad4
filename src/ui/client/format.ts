// Small formatting helpers shared by the views.

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export interface UsageFigures {
  prompts: number;
  turns: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost: Record<string, number>;
  usage_reported: boolean;
}

/** "1 234 in / 56 out · 0.42 USD", or "not reported" for an agent that reports nothing. */
export function usageText(u: UsageFigures | undefined | null): string {
  if (!u || u.turns === 0) return '—';
  if (!u.usage_reported) return 'not reported';
  const cost = Object.entries(u.cost ?? {}).map(([cur, v]) => `${v} ${cur}`);
  return [`${u.input_tokens} in / ${u.output_tokens} out`, ...cost].join(' · ');
}

/** The command or paths a tool call acts on, for a person deciding on it. */
export function toolCallSubject(toolCall: any): string | undefined {
  const raw = toolCall?.rawInput;
  if (raw && typeof raw === 'object') {
    if (typeof raw.command === 'string') return raw.command;
    if (Array.isArray(raw.command)) return raw.command.join(' ');
    if (typeof raw.path === 'string') return raw.path;
  }
  const loc = Array.isArray(toolCall?.locations) ? toolCall.locations.map((l: any) => l?.path).filter(Boolean) : [];
  return loc.length > 0 ? loc.join(', ') : undefined;
}
