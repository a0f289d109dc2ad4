// The uWebSockets.js binding. The package silently falls back to a slow pure-JS implementation when its native
// binary fails to load (e.g. after a Node ABI change), so start-up refuses to run on the fallback.
import uWS from 'uWebSockets.js';

export { uWS };
export type { HttpRequest, HttpResponse, TemplatedApp, WebSocket, us_listen_socket } from 'uWebSockets.js';

export function isNativeUws(): boolean {
  return /\[native code\]/.test(String(uWS.App));
}

export function assertNativeUws(): void {
  if (!isNativeUws()) {
    throw new Error(
      `uWebSockets.js loaded its JavaScript fallback instead of the native binary (Node ABI ${process.versions.modules}); ` +
        'refusing to start. Install on Node 20 (ABI 115) or a uWebSockets.js build for this Node version.',
    );
  }
}
