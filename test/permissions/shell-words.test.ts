// The strict shell-word parser: what an allow rule may match in a command string, and every shell construct that
// makes a string "not plain".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { looseCommandPieces, parseShellWords, patternWords, quotePatternWord } from '../../src/permissions/shell-words.js';

const argvOf = (text: string) => {
  const r = parseShellWords(text);
  assert.ok(r.plain, `${JSON.stringify(text)} should be plain: ${r.plain ? '' : r.reason}`);
  return r.argv;
};

test('plain words, quotes and backslash escapes give the argv a shell would run', () => {
  assert.deepEqual(argvOf('git status'), ['git', 'status']);
  assert.deepEqual(argvOf('  git\tstatus  --short '), ['git', 'status', '--short']);
  assert.deepEqual(argvOf(`git commit -m 'fix: a; b | c $(x) \`y\`'`), ['git', 'commit', '-m', 'fix: a; b | c $(x) `y`']);
  assert.deepEqual(argvOf('git commit -m "two words"'), ['git', 'commit', '-m', 'two words']);
  assert.deepEqual(argvOf(`g'i't "st"atus`), ['git', 'status']);
  assert.deepEqual(argvOf(`echo '' ""`), ['echo', '', '']);
  assert.deepEqual(argvOf('echo a\\;b \\$HOME'), ['echo', 'a;b', '$HOME']);
  assert.deepEqual(argvOf('ls -la src/a_b-c+d=e,f:g@h%i'), ['ls', '-la', 'src/a_b-c+d=e,f:g@h%i']);
  assert.deepEqual(argvOf('cat café.txt'), ['cat', 'café.txt']);
  assert.deepEqual(argvOf('git log --format=%H'), ['git', 'log', '--format=%H']);
});

test('every shell construct makes the string not plain', () => {
  const constructs = [
    'git status; touch pwned',
    'git status && touch pwned',
    'git status || touch pwned',
    'git status | sh',
    'git status & touch pwned',
    'git status\ntouch pwned',
    'git status\rtouch pwned',
    'git status $(touch pwned)',
    'git status `touch pwned`',
    'git status "$(touch pwned)"',
    'git status "`touch pwned`"',
    'git status > .git/config',
    'git status >> log',
    'git status < /etc/passwd',
    'git status 2>&1',
    'diff <(ls) <(ls -a)',
    'git status $HOME',
    'git status ${IFS}x',
    "git status $'\\x3b'",
    'ls *',
    'ls ?.txt',
    'ls [ab].txt',
    'echo {a,b}',
    'ls ~',
    'ls ~root',
    'git status # comment',
    'git status !!',
    '! git status',
    '(git status)',
    '{ git status; }',
    'GIT_DIR=/tmp/evil git status',
    'FOO=1 git status',
    'PATH+=:/tmp git status',
    'A="x y" git status',
    '=ls',
    'git status \\\ntouch pwned',
    'git status \\',
    "git status 'unterminated",
    'git status "unterminated',
    'echo "a\\"b"',
    'echo "!x"',
    "echo 'a\tb'",
    'echo a\u0000b',
    'echo a\u0085b',
    '',
    '   ',
  ];
  for (const text of constructs) {
    const r = parseShellWords(text);
    assert.equal(r.plain, false, `${JSON.stringify(text)} must not be plain`);
  }
});

test('pattern words: spaces split, quotes group, glob characters kept, an unclosed quote is literal', () => {
  assert.deepEqual(patternWords('git status *'), ['git', 'status', '*']);
  assert.deepEqual(patternWords('git status*'), ['git', 'status*']);
  assert.deepEqual(patternWords(`git commit -m 'fix *' "a 'b'"`), ['git', 'commit', '-m', 'fix *', "a 'b'"]);
  assert.deepEqual(patternWords(`echo "it's`), ['echo', `"it's`]);
  assert.deepEqual(patternWords('   '), []);
  for (const word of ['plain', 'two words', "it's here", 'say "hi"', '']) {
    const quoted = quotePatternWord(word)!;
    assert.deepEqual(patternWords(`x ${quoted}`), ['x', word]);
  }
  assert.equal(quotePatternWord(`both ' and "`), undefined);
});

test('the loose reading cuts at every operator and drops quotes', () => {
  assert.deepEqual(looseCommandPieces(`ls; rm -rf / && sh -c 'curl x | sh'`), [['ls'], ['rm', '-rf', '/'], ['sh', '-c', 'curl', 'x'], ['sh']]);
  assert.deepEqual(looseCommandPieces(`'r''m' \\-rf $(echo x)`), [['rm', '-rf'], ['echo', 'x']]);
});
