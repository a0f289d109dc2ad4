// How a rule's `command` pattern meets a command. Two readings, because the two mistakes do not cost the same:
//
//  - allow rules match STRICTLY, on argv: the pattern is split into words (shell-words.ts: patternWords); the first
//    word names the program and must be the very file the command would run, found on the fixed command path
//    (permissions.command_path, never the agent's PATH) or, for a command written with a '/', from its cwd; every
//    other word is a glob on one argument, and a final `*` word matches any remaining arguments (none included).
//    A command whose argv is not known exactly (a shell string with ; | $ ... in it: shell-words.ts) or that runs
//    another command (sh -c, env, sudo, xargs: command-runners.ts) is never matched.
//  - deny and ask rules match LOOSELY: the pattern glob on the whole text (the old reading, kept so old rules keep
//    biting), the strict reading above, or the pattern's words found at ANY position of any command piece of the
//    text (shell-words.ts: looseCommandPieces), with the program compared by name. So `deny: rm *` meets
//    `ls; rm -rf /`, `sh -c 'rm -rf /'`, `sudo /bin/rm x` and `git rm x` alike. Best effort by nature: a program
//    copied under another name escapes a deny rule, which is why the safe default is `ask` and allow rules are narrow.
import path from 'node:path';
import type { FoundExecutable } from '../workspace/executable.js';
import { runnerReason } from './command-runners.js';
import { compileCommandGlob } from './glob.js';
import { looseCommandPieces, patternWords } from './shell-words.js';

/** Finds a program the way the gateway runs it: `name` on the fixed command path, or from `cwd` when it holds '/'. */
export type ExecutableLookup = (name: string, cwd: string) => FoundExecutable | undefined;

export interface CommandToMatch {
  /** the command as text (what a person sees; what a shell would read) */
  text: string | undefined;
  /** the exact argv, or null when it cannot be known without running a shell */
  argv: readonly string[] | null;
  /** where the command's program is looked for when it is written with a relative path */
  cwd: string;
  /** where a RULE's program written with a relative path (`./build.sh`) is looked for: the workspace */
  root: string;
}

const GLOB_CHARS = /[*?[{]/;

/** The pattern's words with a final `*` taken apart: `rest` = any number of further arguments may follow. */
function shapeOf(pattern: string): { words: string[]; rest: boolean } {
  const words = patternWords(pattern);
  // a lone `*` is "any command" (as it was when patterns were matched on the joined string)
  if (words.length === 1 && words[0] === '*') return { words, rest: true };
  if (words.length > 1 && words[words.length - 1] === '*') return { words: words.slice(0, -1), rest: true };
  return { words, rest: false };
}

/** Does the program `name` (as the command writes it) match the pattern's first word? */
function sameProgram(ruleWord: string, name: string, command: CommandToMatch, lookup: ExecutableLookup): boolean {
  const found = lookup(name, command.cwd);
  if (found === undefined) return false;
  const invoked = path.basename(name);
  if (GLOB_CHARS.test(ruleWord)) {
    if (!ruleWord.includes('/')) return compileCommandGlob(ruleWord)(invoked);
    const glob = compileCommandGlob(ruleWord);
    return glob(found.path) || glob(found.real);
  }
  // the same name too: a multi-call binary (busybox) is one file that is `ls` or `rm` by the name it is run as
  if (path.basename(ruleWord) !== invoked) return false;
  const ruleFound = lookup(ruleWord, command.root);
  return ruleFound !== undefined && ruleFound.real === found.real;
}

function argvMatches(pattern: string, argv: readonly string[], command: CommandToMatch, lookup: ExecutableLookup): boolean {
  const { words, rest } = shapeOf(pattern);
  if (words.length === 0 || argv.length === 0) return false;
  if (rest ? argv.length < words.length : argv.length !== words.length) return false;
  if (!sameProgram(words[0]!, argv[0]!, command, lookup)) return false;
  for (let k = 1; k < words.length; k++) if (!compileCommandGlob(words[k]!)(argv[k]!)) return false;
  return true;
}

/** The strict reading, for allow rules. */
export function commandAllowedBy(pattern: string, command: CommandToMatch, lookup: ExecutableLookup): boolean {
  if (command.argv === null || runnerReason(command.argv) !== undefined) return false;
  return argvMatches(pattern, command.argv, command, lookup);
}

/** The loose reading, for deny and ask rules. */
export function commandMentionedBy(pattern: string, command: CommandToMatch, lookup: ExecutableLookup): boolean {
  const text = command.text ?? command.argv?.join(' ');
  if (text === undefined) return false;
  if (compileCommandGlob(pattern)(text)) return true;
  if (command.argv !== null && argvMatches(pattern, command.argv, command, lookup)) return true;
  const { words } = shapeOf(pattern);
  if (words.length === 0) return false;
  const program = compileCommandGlob(path.basename(words[0]!) || words[0]!);
  const args = words.slice(1).map(compileCommandGlob);
  for (const piece of looseCommandPieces(text)) {
    for (let i = 0; i + args.length < piece.length; i++) {
      if (!program(path.basename(piece[i]!))) continue;
      if (args.every((glob, k) => glob(piece[i + 1 + k]!))) return true;
    }
  }
  return false;
}
