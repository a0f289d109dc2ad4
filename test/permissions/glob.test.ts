import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCommandGlob, compileGlob, escapeGlob, globCacheSize } from '../../src/permissions/glob.js';

function check(compile: (p: string) => (s: string) => boolean, pattern: string, yes: string[], no: string[]): void {
  const m = compile(pattern);
  for (const s of yes) assert.equal(m(s), true, `${pattern} should match ${JSON.stringify(s)}`);
  for (const s of no) assert.equal(m(s), false, `${pattern} should not match ${JSON.stringify(s)}`);
}

test('literal patterns match exactly, regex characters included', () => {
  check(compileGlob, 'fs/read_text_file', ['fs/read_text_file'], ['fs/read_text_filex', 'fs/read_text_fil', 'xfs/read_text_file']);
  check(compileGlob, 'a.b+c(d)|e$^', ['a.b+c(d)|e$^'], ['aXb+c(d)|e$^', 'a.bbc(d)|e$^']);
  check(compileGlob, 'C:\\dir\\file', ['C:\\dir\\file'], ['C:dirfile']);
});

test('* matches any run except /, including the empty run', () => {
  check(compileGlob, 'src/*.ts', ['src/a.ts', 'src/.ts', 'src/x.y.ts'], ['src/a/b.ts', 'src/a.tsx', 'lib/a.ts']);
  check(compileGlob, 'terminal/*', ['terminal/create', 'terminal/kill', 'terminal/'], ['terminal', 'fs/read_text_file', 'terminal/a/b']);
  check(compileGlob, '*', ['claude', 'a-b_c', ''], ['a/b']);
});

test('** matches anything including /', () => {
  check(compileGlob, '**', ['a', 'a/b/c', '/etc/passwd', ''], []);
  check(compileGlob, 'src/**/*.ts', ['src/a.ts', 'src/x/a.ts', 'src/x/y/z.ts'], ['src/a.js', 'lib/a.ts', 'src/x/a.tsx']);
  check(compileGlob, 'a**b', ['ab', 'a/x/b', 'axb'], ['a/x/c']);
});

test('**/ at a segment start also matches zero directories', () => {
  check(compileGlob, '**/*.md', ['README.md', 'docs/a.md', 'a/b/c.md', '/abs/x.md'], ['README.mdx', 'docs/a.txt']);
  check(compileGlob, '**/.env', ['.env', 'pkg/.env'], ['pkg/x.env', '.envrc']);
  check(compileGlob, 'src/**/index.ts', ['src/index.ts', 'src/a/index.ts'], ['src/aindex.ts', 'index.ts']);
});

test('a trailing /** also matches the directory itself', () => {
  check(compileGlob, 'secrets/**', ['secrets', 'secrets/a', 'secrets/a/b'], ['secretsX', 'secret', 'other/secrets/a']);
  check(compileGlob, '/etc/**', ['/etc', '/etc/passwd', '/etc/ssl/certs/x'], ['/etcetera', '/var/etc']);
});

test('? matches exactly one character except / (one code point, not one UTF-16 unit)', () => {
  check(compileGlob, 'file?.txt', ['file1.txt', 'fileé.txt', 'file😀.txt'], ['file.txt', 'file12.txt', 'file/.txt']);
});

test('character classes: sets, ranges, negation, ] first, never / in path globs', () => {
  check(compileGlob, 'v[abc]', ['va', 'vb', 'vc'], ['vd', 'v', 'vab']);
  check(compileGlob, 'log[0-9].txt', ['log0.txt', 'log9.txt'], ['logx.txt', 'log10.txt']);
  check(compileGlob, 'x[!a-c]', ['xd', 'xZ'], ['xa', 'xc', 'x/']);
  check(compileGlob, 'x[^a-c]', ['xd'], ['xb']);
  check(compileGlob, '[]a]', [']', 'a'], ['b']);
  check(compileGlob, 'a[-x]', ['a-', 'ax'], ['ay']);
  check(compileGlob, 'a[/]b', [], ['a/b']);
  check(compileCommandGlob, 'a[/]b', ['a/b'], ['axb']);
});

test('an unclosed [ is literal', () => {
  check(compileGlob, 'a[b', ['a[b'], ['ab']);
  check(compileGlob, '[', ['['], ['']);
});

test('{a,b} alternatives, nestable, holding globs; braces without a comma or unclosed are literal', () => {
  check(compileGlob, '{src,lib}/*.ts', ['src/a.ts', 'lib/b.ts'], ['test/a.ts', '{src,lib}/a.ts']);
  check(compileGlob, 'a{,b}c', ['ac', 'abc'], ['abbc']);
  check(compileGlob, 'x{a,{b,c}d}', ['xa', 'xbd', 'xcd'], ['xb', 'xad']);
  check(compileGlob, '{**/*.md,docs/**}', ['a/b.md', 'README.md', 'docs/x.txt', 'docs'], ['src/x.txt']);
  check(compileGlob, 'a{b}c', ['a{b}c'], ['abc']);
  check(compileGlob, 'a{b,c', ['a{b,c'], ['ab', 'ac']);
  check(compileGlob, '{{{{{{{{{{{{{{{{{{{{{{{{a', ['{{{{{{{{{{{{{{{{{{{{{{{{a'], ['a']);
  check(compileGlob, 'a}b,c', ['a}b,c'], []);
});

test('command globs: / is ordinary, so * spans paths and arguments', () => {
  check(compileCommandGlob, 'git *', ['git log', 'git log --oneline -- src/a.ts', 'git '], ['git', 'gitk', 'xgit log']);
  check(compileCommandGlob, 'rm *', ['rm -rf /', 'rm -rf /home/me/ws'], ['rmdir x', 'srm -rf /']);
  check(compileCommandGlob, 'npm run ?est', ['npm run test', 'npm run /est'], ['npm run tst']);
  check(compileCommandGlob, 'ls **', ['ls -la /tmp'], ['cat x']);
  check(compileCommandGlob, 'echo *', ['echo a\nb'], []);
  // the same pattern as a path glob stops at '/'
  check(compileGlob, 'rm *', ['rm -rf'], ['rm -rf /']);
});

test('escapeGlob makes any text match only itself, in both flavours', () => {
  const texts = [
    'ls -la',
    'rm -rf /tmp/*',
    'echo {a,b} [x] ? ** \\* ]',
    'find . -name "*.ts" -exec grep -l "a\\|b" {} \\;',
    '[!]',
    '{,}',
    'ünïcode 😀 ?',
    '',
  ];
  for (const text of texts) {
    for (const compile of [compileGlob, compileCommandGlob]) {
      const m = compile(escapeGlob(text));
      assert.equal(m(text), true, `escaped ${JSON.stringify(text)} should match itself`);
      for (const other of texts) if (other !== text) assert.equal(m(other), false, `${JSON.stringify(text)} vs ${JSON.stringify(other)}`);
      assert.equal(m(text + 'x'), false);
      if (text.length > 0) assert.equal(m(text.slice(0, -1)), false);
    }
  }
  assert.equal(compileCommandGlob(escapeGlob('rm -rf /tmp/*'))('rm -rf /tmp/important'), false);
});

test('compiled globs are cached, and the cache is bounded', () => {
  const a = compileGlob('cache/test/*.x');
  assert.equal(compileGlob('cache/test/*.x'), a);
  assert.notEqual(compileCommandGlob('cache/test/*.x'), a, 'the two flavours are cached separately');
  for (let i = 0; i < 3000; i++) compileGlob(`bulk-${i}-*`);
  assert.ok(globCacheSize() <= 1024, `cache size ${globCacheSize()}`);
  assert.equal(compileGlob('bulk-2999-*')('bulk-2999-z'), true);
});

test('no catastrophic backtracking on long agent-controlled subjects', { timeout: 10_000 }, () => {
  const subject = 'a'.repeat(200_000);
  assert.equal(compileCommandGlob('*a*a*a*a*a*b')(subject), false);
  assert.equal(compileGlob('**a**a**a**a**b')(subject), false);
  assert.equal(compileCommandGlob('*a*a*a*a*a*')(subject), true);
});
