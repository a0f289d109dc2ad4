// Auto-routing: which agent takes a session, from routing.rules in order (the original's format). A rule matches
// when ANY of its criteria holds: task_type equals the request's; a keyword is a whole word of the prompt
// (case-insensitive: "fix" matches "Fix the bug" but not "prefix", unlike the original's substring test); a file
// pattern (a path glob, permissions/glob.ts) matches one of the files (the request's file_paths and the cloned
// workspace's files). A pattern without '/' is tried against the base name too, so "*.rs" matches "src/main.rs".
// First match wins, else routing.fallback, else 400 no_route. The answer says which rule chose and why.
import { compileGlob } from '../permissions/glob.js';
import type { RoutingConfig } from '../config/schema.js';
import { HttpError } from '../errors/http-error.js';

export interface RouteRequest {
  prompt: string;
  task_type?: string;
  /** workspace-relative paths */
  files: readonly string[];
}

export interface Routed {
  agent: string;
  /** the index of the rule in routing.rules, or "fallback" */
  rule: number | 'fallback';
  /** what matched: the keywords found, the patterns with the first file each matched, the task type */
  matched: { keywords?: string[]; file_patterns?: { pattern: string; file: string }[]; task_type?: string };
}

export function routeAgent(routing: RoutingConfig, req: RouteRequest): Routed {
  const words = new Set(req.prompt.toLowerCase().match(/[\p{L}\p{N}_]+(?:[-.+#][\p{L}\p{N}_]+)*/gu) ?? []);
  for (const [i, rule] of routing.rules.entries()) {
    const m = rule.match;
    const matched: Routed['matched'] = {};
    if (m.task_type !== undefined && req.task_type !== undefined && m.task_type === req.task_type) matched.task_type = m.task_type;
    const keywords = (m.keywords ?? []).filter((k) => keywordIn(k, words, req.prompt));
    if (keywords.length > 0) matched.keywords = keywords;
    const patterns = (m.file_patterns ?? []).flatMap((p) => {
      const file = firstMatch(p, req.files);
      return file === undefined ? [] : [{ pattern: p, file }];
    });
    if (patterns.length > 0) matched.file_patterns = patterns;
    if (Object.keys(matched).length > 0) return { agent: rule.agent, rule: i, matched };
  }
  if (routing.fallback !== undefined) return { agent: routing.fallback, rule: 'fallback', matched: {} };
  throw new HttpError(400, 'no_route', 'no routing rule matched the request and routing.fallback is not set');
}

/** A one-word keyword is looked up among the prompt's words; a phrase (any spacing) must appear between word boundaries. */
function keywordIn(keyword: string, words: Set<string>, prompt: string): boolean {
  const k = keyword.toLowerCase();
  if (words.has(k)) return true;
  const escaped = k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
  return new RegExp(`(?<![\\p{L}\\p{N}_])${escaped}(?![\\p{L}\\p{N}_])`, 'iu').test(prompt);
}

function firstMatch(pattern: string, files: readonly string[]): string | undefined {
  const full = compileGlob(pattern);
  const base = pattern.includes('/') ? undefined : full;
  return files.find((f) => full(f) || (base !== undefined && base(f.slice(f.lastIndexOf('/') + 1))));
}
