#!/usr/bin/env node
// Builds the web console (src/ui/client) into dist/ui, which the gateway serves at /ui: one JavaScript bundle and one
// style sheet, minified, their names carrying a hash of their content (so they can be cached for good), and
// index.html naming them. Run by `make build` after tsc (which type-checks the client, src/ui/client/tsconfig.json).
//
// Why a bundler: the console's script must be a file of the gateway's own (its Content-Security-Policy allows no
// inline script, so no import map for Preact's bare module names) and a browser should load one file, not a module
// graph. esbuild does exactly that from the TypeScript sources, in well under a second, with no configuration file.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src/ui/client');
// --out DIR: where the gateway looks for it when compiled elsewhere (the tests pass the folder it reads)
const outFlag = process.argv.indexOf('--out');
const out = outFlag > 0 ? process.argv[outFlag + 1] : join(root, 'dist/ui');
if (!out) throw new Error('--out needs a folder');

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { app: join(source, 'main.ts'), style: join(source, 'style.css') },
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
const names = {};
for (const [file, meta] of Object.entries(result.metafile.outputs)) {
  if (meta.entryPoint) names[basename(meta.entryPoint).replace(/\.(ts|css)$/, '')] = basename(file);
}
if (!names.main || !names.style) throw new Error(`console build: missing outputs ${JSON.stringify(names)}`);
const page = readFileSync(join(source, 'index.html'), 'utf8').replace('{{app}}', names.main).replace('{{style}}', names.style);
writeFileSync(join(out, 'index.html'), page);
if (!process.argv.includes('--quiet')) console.log(`console built: ${out} (${names.main}, ${names.style})`);
