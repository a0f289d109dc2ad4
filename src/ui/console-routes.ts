// GET /ui (the web console's page) and GET /ui/assets/{file}: served by the gateway itself, no token needed to load
// the page (it holds no data; the person signs in with an API token, which the page keeps in the tab's session
// storage and sends as the bearer header of every API call). The Host/Origin checks apply as to every request.
//
// Every answer carries a strict Content-Security-Policy: scripts and styles only from the gateway's own files (no
// inline script, no eval), fetches only to the same origin, no frames, no form submissions (a sign-in form that
// somehow submitted without its script would otherwise put the token into a URL).
import type { Route } from '../http/router.js';
import type { RequestContext } from '../http/request-context.js';
import { HttpError } from '../http/errors.js';
import { loadConsoleAssets, type ConsoleAssets, type ConsoleFile } from './console-assets.js';
import type { RouteDoc } from '../http/route-doc.js';
import { z } from 'zod';

const notBuilt = { 503: 'console_not_built: the package was built without the console' };
const pageDoc = (operationId: string): RouteDoc => ({
  operationId,
  summary: 'The web console (sign in with an API token)',
  tag: 'console',
  responses: {
    200: { description: 'the page', media: { 'text/html': { description: 'the console page' } } },
    304: { description: 'not modified (If-None-Match)' },
  },
  errors: notBuilt,
});
const assetDoc: RouteDoc = {
  operationId: 'consoleAsset',
  summary: "One of the console's script and style files (named by their content hash, cached for good)",
  tag: 'console',
  params: { file: 'the file name' },
  responses: {
    200: {
      description: 'the file',
      json: z.unknown(),
      media: { 'text/javascript': { description: 'the script' }, 'text/css': { description: 'the style sheet' } },
    },
    304: { description: 'not modified (If-None-Match)' },
  },
  errors: { ...notBuilt, 404: 'not_found: no such asset' },
};

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** The page is revalidated on every load (it names the current assets); the hashed assets never change. */
const PAGE_CACHE = 'no-cache';
const ASSET_CACHE = 'public, max-age=31536000, immutable';

export function consoleRoutes(load: () => ConsoleAssets | undefined = loadConsoleAssets): Route[] {
  let assets: ConsoleAssets | undefined;
  const built = (): ConsoleAssets => {
    assets ??= load();
    if (!assets) throw new HttpError(503, 'console_not_built', 'the web console was not built: run `make build` (scripts/build-console.mjs)');
    return assets;
  };
  const page = (ctx: RequestContext) => serve(ctx, built().index, PAGE_CACHE);
  return [
    { method: 'GET', path: '/ui', auth: false, doc: pageDoc('console'), handler: page },
    { method: 'GET', path: '/ui/', auth: false, doc: pageDoc('consoleSlash'), handler: page },
    {
      method: 'GET',
      path: '/ui/assets/:file',
      auth: false,
      doc: assetDoc,
      handler: (ctx) => {
        const file = built().assets.get(ctx.params[0]!);
        if (!file) throw new HttpError(404, 'not_found', `no console asset ${JSON.stringify(ctx.params[0]!.slice(0, 100))}`);
        return serve(ctx, file, ASSET_CACHE);
      },
    },
  ];
}

function serve(ctx: RequestContext, file: ConsoleFile, cacheControl: string) {
  const headers = { ...SECURITY_HEADERS, 'cache-control': cacheControl, etag: file.etag };
  if (ctx.headers['if-none-match'] === file.etag) return { status: 304, headers };
  ctx.send(200, file.body, { ...headers, 'content-type': file.contentType });
  return undefined;
}
