// A judge's verdict from its text: the whole text as JSON, else the first fenced ```json block, else the first
// balanced {...} (strings and escapes respected). Then zod: the winner must be one of the labels the judge was
// shown, scores may only name those labels. Every failure says what was wrong, for the corrective re-prompt.
import { z } from 'zod';

export interface JudgeVerdict {
  winner: string;
  scores: Record<string, number>;
  rationale: string;
}

export type VerdictParse = { ok: true; verdict: JudgeVerdict } | { ok: false; problem: string };

export function parseVerdict(text: string, labels: readonly string[]): VerdictParse {
  const candidate = extractJson(text);
  if (candidate === undefined) return { ok: false, problem: 'no JSON object found in the answer' };
  const schema = z
    .object({
      winner: z.string().refine((w) => labels.includes(w), { message: `winner must be one of ${labels.join(', ')}` }),
      scores: z
        .record(z.string(), z.number().finite())
        .refine((s) => Object.keys(s).every((k) => labels.includes(k)), { message: `scores may only name ${labels.join(', ')}` })
        .default({}),
      rationale: z.string().max(20_000).default(''),
    })
    .loose();
  const r = schema.safeParse(candidate);
  if (!r.success) {
    const i = r.error.issues[0]!;
    return { ok: false, problem: `${i.path.length ? i.path.join('.') : 'verdict'}: ${i.message}` };
  }
  return { ok: true, verdict: { winner: r.data.winner, scores: r.data.scores, rationale: r.data.rationale } };
}

/** The JSON value of the verdict, by the three rules in order; undefined when none gives an object. */
export function extractJson(text: string): unknown {
  const whole = tryParse(text.trim());
  if (isObject(whole)) return whole;
  const fenced = /```(?:json)?\s*\n([\s\S]*?)```/i.exec(text);
  if (fenced) {
    const v = tryParse(fenced[1]!.trim());
    if (isObject(v)) return v;
  }
  const balanced = firstBalancedObject(text);
  return balanced === undefined ? undefined : tryParse(balanced);
}

/** The first `{...}` whose braces balance, ignoring braces inside JSON strings. */
export function firstBalancedObject(text: string): string | undefined {
  for (let start = text.indexOf('{'); start !== -1; start = text.indexOf('{', start + 1)) {
    let depth = 0;
    let inString = false;
    for (let i = start; i < text.length; i++) {
      const ch = text[i];
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === '"') inString = false;
      } else if (ch === '"') inString = true;
      else if (ch === '{') depth++;
      else if (ch === '}' && --depth === 0) {
        const slice = text.slice(start, i + 1);
        if (isObject(tryParse(slice))) return slice;
        break; // balanced but not JSON: try the next opening brace
      }
    }
  }
  return undefined;
}

function tryParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
