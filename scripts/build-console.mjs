#!/usr/bin/env node
// Builds the web console (src/ui/client) into dist/ui, which the gateway serves at /ui: one JavaScript bundle and one
// style sheet, minified, their names carrying a hash of their content (so they can be cached for good), and
// index.html naming them. Run by `make build` after tsc (which type-checks the client, src/ui/client/tsconfig.json).
//
// Why a bundler: the console's script must be a file of the gateway's own (its Content-Security-Policy allows no
// inline script, so no import map for Preact's bare module names) and a browser should load one file, not a module
// graph. esbuild does exactly that from the TypeScript sources, in well under a second, with no configuration file.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src/ui/client');
// --out DIR: where the gateway looks for it when compiled elsewhere (the tests pass the folder it reads)
const outFlag = process.argv.indexOf('--out');
if (outFlag > 0 && !process.argv[outFlag + 1]) throw new Error('--out needs a folder');
const out = resolve(outFlag > 0 ? process.argv[outFlag + 1] : join(root, 'dist/ui'));

// Built beside its place and then swapped in with renames, so that a gateway (or another build: the tests build too,
// in parallel) never sees a folder half written or half removed.
const staging = `${out}.build-${process.pid}`;
rmSync(staging, { recursive: true, force: true });
process.on('exit', () => rmSync(staging, { recursive: true, force: true })); // also when the build fails
mkdirSync(join(staging, 'assets'), { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { app: join(source, 'main.ts'), style: join(source, 'style.css') },
  outdir: join(staging, 'assets'),
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
// What the bundle may hold: the console, the package's typed client (fetch only; its types come from the server's
// schemas, but as type-only imports, erased here) and the view library. Anything else (a runtime import of server
// code, zod, a Node module) would ship server code to the browser or break there: the build fails naming it.
const ALLOWED = [/^src\/ui\/client\//, /^src\/client\//, /node_modules\/(preact|htm)\//];
const foreign = Object.keys(result.metafile.inputs).filter((f) => !f.endsWith('.css') && !ALLOWED.some((a) => a.test(f)));
if (foreign.length > 0) throw new Error(`console build: the bundle would hold modules outside the console and the client: ${foreign.join(', ')}`);
const names = {};
for (const [file, meta] of Object.entries(result.metafile.outputs)) {
  if (meta.entryPoint) names[basename(meta.entryPoint).replace(/\.(ts|css)$/, '')] = basename(file);
}
if (!names.main || !names.style) throw new Error(`console build: missing outputs ${JSON.stringify(names)}`);
const page = readFileSync(join(source, 'index.html'), 'utf8').replace('{{app}}', names.main).replace('{{style}}', names.style);
writeFileSync(join(staging, 'index.html'), page);
// The same sources give the same files (names are content hashes): a folder that already holds them is left alone.
const holdsThisBuild = (dir) => {
  try {
    return readFileSync(join(dir, 'index.html'), 'utf8') === page && existsSync(join(dir, 'assets', names.main)) && existsSync(join(dir, 'assets', names.style));
  } catch {
    return false;
  }
};
if (!holdsThisBuild(out)) {
  const old = `${out}.old-${process.pid}`;
  mkdirSync(dirname(out), { recursive: true });
  try {
    renameSync(out, old);
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
  }
  try {
    renameSync(staging, out);
  } catch (e) {
    // a parallel build of the same sources swapped its folder in first
    if (!holdsThisBuild(out)) throw e;
  }
  rmSync(old, { recursive: true, force: true });
}
rmSync(staging, { recursive: true, force: true });
if (!process.argv.includes('--quiet')) console.log(`console built: ${out} (${names.main}, ${names.style})`);
