// The uWS app: mounts the routes and WebSocket behaviours, listens, and closes cleanly.
import { uWS, assertNativeUws, type TemplatedApp, type us_listen_socket } from './uws.js';
import { mountRoutes, type Route, type RouterDeps } from './router.js';

export interface HttpServer {
  readonly app: TemplatedApp;
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /** the routes mounted (GET /openapi.json documents them) */
  readonly routes: readonly Route[];
  /** stop accepting connections (open ones are closed by their owners) */
  close(): void;
}

export interface HttpServerOptions {
  host: string;
  /** 0 picks a free port */
  port: number;
  routes: readonly Route[];
  deps: RouterDeps;
  /** mount WebSocket behaviours and anything else that needs the raw app, before the catch-all routes */
  beforeRoutes?: (app: TemplatedApp) => void;
}

export function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  assertNativeUws();
  const app = uWS.App();
  options.beforeRoutes?.(app);
  mountRoutes(app, options.routes, options.deps);
  return new Promise((resolve, reject) => {
    app.listen(options.host, options.port, (socket: us_listen_socket | false) => {
      if (!socket) {
        reject(new Error(`cannot listen on ${options.host}:${options.port} (address in use or not permitted)`));
        return;
      }
      const port = uWS.us_socket_local_port(socket as never);
      options.deps.hostOrigin?.listening(port); // the default allow-list names the port; requests come after this
      const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
      let closed = false;
      resolve({
        app,
        host: options.host,
        port,
        url: `http://${hostForUrl}:${port}`,
        routes: options.routes,
        close() {
          if (closed) return;
          closed = true;
          uWS.us_listen_socket_close(socket);
        },
      });
    });
  });
}
