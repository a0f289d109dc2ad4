// Percent-decoding of what a client put in a path or query. `decodeURIComponent` throws a URIError on a malformed
// escape (`%E0%A4%A`, a lone `%`), and a throw in a uWS callback can end the process: nothing decodes a client's
// text without going through here.

/** The decoded text, or undefined when `raw` is not a valid percent-encoding of UTF-8. */
export function decodeComponent(raw: string): string | undefined {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}
