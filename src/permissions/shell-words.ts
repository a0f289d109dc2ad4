// Reading a command line the way a permission rule needs to: an execute tool call of session/request_permission
// carries a command STRING (claude-agent-acp's Bash: rawInput.command) that the agent will hand to a shell. An allow
// rule may only match it when the gateway knows exactly which argv that shell will run, so the parser is strict:
// plain words, single quotes, double quotes without anything the shell would expand, and backslash escapes. Anything
// else (; | & $ ` > < ( ) { } newline, globbing, ~, #, !, an assignment in front of the command, an unterminated
// quote) makes the string "not plain": no allow rule can match it, only deny and ask rules (command-pattern.ts).
//
// Strict on purpose: a false "not plain" costs a question to a person, a false "plain" costs arbitrary execution.

export type ShellWords = { plain: true; argv: string[] } | { plain: false; reason: string };

/** Characters a word may hold unquoted: nothing any common shell (sh, bash, zsh) expands or treats as syntax. */
const SAFE_UNQUOTED = /^[A-Za-z0-9_\-+=.,/:@%]$/;
/** A first word like FOO=bar (or FOO+=bar) is an assignment: the shell runs the NEXT word with a changed environment. */
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*\+?=/;
/** Inside double quotes these still expand ($, `), escape (\) or, interactively, expand history (!). */
const DOUBLE_QUOTE_ACTIVE = new Set(['$', '`', '\\', '!']);

function isControl(ch: string): boolean {
  const code = ch.codePointAt(0)!;
  return code < 0x20 || (code >= 0x7f && code < 0xa0);
}

function notPlain(reason: string): ShellWords {
  return { plain: false, reason };
}

/** The argv a POSIX shell would run for `text`, when that can be known without running anything. */
export function parseShellWords(text: string): ShellWords {
  const argv: string[] = [];
  const chars = Array.from(text);
  let word: string | null = null; // null between words; '' is a word made of empty quotes
  let raw = ''; // the first word as written, to recognise an assignment
  let i = 0;
  const endWord = (): void => {
    if (word === null) return;
    argv.push(word);
    word = null;
  };
  while (i < chars.length) {
    const ch = chars[i]!;
    if (ch === ' ' || ch === '\t') {
      endWord();
      i++;
      continue;
    }
    if (argv.length === 0) raw += ch;
    if (ch === "'") {
      const close = chars.indexOf("'", i + 1);
      if (close < 0) return notPlain('an unterminated single quote');
      const inner = chars.slice(i + 1, close);
      if (inner.some(isControl)) return notPlain('a control character inside quotes');
      word = (word ?? '') + inner.join('');
      if (argv.length === 0) raw += inner.join('') + "'";
      i = close + 1;
    } else if (ch === '"') {
      const close = chars.indexOf('"', i + 1);
      if (close < 0) return notPlain('an unterminated double quote');
      const inner = chars.slice(i + 1, close);
      if (inner.some(isControl)) return notPlain('a control character inside quotes');
      const active = inner.find((c) => DOUBLE_QUOTE_ACTIVE.has(c));
      if (active !== undefined) return notPlain(`'${active}' inside double quotes`);
      word = (word ?? '') + inner.join('');
      if (argv.length === 0) raw += inner.join('') + '"';
      i = close + 1;
    } else if (ch === '\\') {
      const next = chars[i + 1];
      if (next === undefined) return notPlain('a backslash at the end');
      if (isControl(next)) return notPlain('an escaped control character or line continuation');
      word = (word ?? '') + next;
      if (argv.length === 0) raw += next;
      i += 2;
    } else if (SAFE_UNQUOTED.test(ch) || (!isControl(ch) && ch.codePointAt(0)! >= 0xa0)) {
      // a word-leading '=' is zsh's "=cmd" expansion (the path of cmd)
      if (ch === '=' && word === null) return notPlain("a word starting with '='");
      word = (word ?? '') + ch;
      i++;
    } else {
      return notPlain(isControl(ch) ? 'a control character (newline, ...)' : `the shell character '${ch}'`);
    }
    if (argv.length === 0 && word !== null && ASSIGNMENT.test(raw)) return notPlain('an environment assignment before the command');
  }
  endWord();
  if (argv.length === 0) return notPlain('no command');
  return { plain: true, argv };
}

/**
 * The words of a rule's command pattern: split on spaces and tabs; '...' or "..." group a word that holds spaces
 * (an unclosed quote is literal text). Glob characters stay glob characters inside quotes: `[*]` matches a literal '*'.
 * Never fails, so every config that loaded before still loads.
 */
export function patternWords(pattern: string): string[] {
  const words: string[] = [];
  const chars = Array.from(pattern);
  let word: string | null = null;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === ' ' || ch === '\t') {
      if (word !== null) words.push(word);
      word = null;
    } else if (ch === "'" || ch === '"') {
      const close = chars.indexOf(ch, i + 1);
      if (close < 0) word = (word ?? '') + ch;
      else {
        word = (word ?? '') + chars.slice(i + 1, close).join('');
        i = close;
      }
    } else word = (word ?? '') + ch;
  }
  if (word !== null) words.push(word);
  return words;
}

/** A pattern word as it must be written so that patternWords() gives it back (quoted when it holds spaces). */
export function quotePatternWord(word: string): string | undefined {
  if (word !== '' && !/[\s'"]/.test(word)) return word;
  if (!word.includes("'") && !/[\n\r]/.test(word)) return `'${word}'`;
  if (!word.includes('"') && !/[\n\r]/.test(word)) return `"${word}"`;
  return undefined;
}

/** Every character a shell treats as an operator or expansion opener: where one command can end and another begin. */
const COMMAND_BOUNDARY = /[;&|\n\r()`{}<>$]/;

/**
 * A conservative, lossy reading of any command text for deny and ask rules: quotes and backslashes are dropped (so
 * `'r'm` reads `rm`, and the text inside `sh -c '...'` is read as commands too), the text is cut at every shell
 * operator, and each piece is split into words. Every piece is a candidate command; a rule then looks for its words
 * at ANY position of a piece (so `sudo rm -rf /` and `xargs rm` still meet a deny rule on `rm *`).
 */
export function looseCommandPieces(text: string): string[][] {
  const stripped = text.replace(/['"\\]/g, '');
  return stripped
    .split(COMMAND_BOUNDARY)
    .map((piece) => piece.split(/[\s]+/).filter((w) => w !== ''))
    .filter((words) => words.length > 0);
}
