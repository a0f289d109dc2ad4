// The bare uWebSockets.js hello-world server: the baseline of the API's request rate and part of the latency
// floor. Same JSON answer as runtime-tech.md §4(a)'s srv-uws.js. Prints `listening <port>`.
import uWS from 'uWebSockets.js';

if (!/\[native code\]/.test(String(uWS.App))) {
  process.stderr.write('uws-hello: uWebSockets.js fell back to its JS implementation\n');
  process.exit(2);
}
let n = 0;
uWS
  .App()
  .get('/*', (res) => {
    const body = `{"ok":true,"n":${++n},"msg":"hello"}`;
    res.cork(() => res.writeHeader('content-type', 'application/json').end(body));
  })
  .listen('127.0.0.1', 0, (socket) => {
    if (!socket) {
      process.stderr.write('uws-hello: cannot listen\n');
      process.exit(1);
    }
    process.stdout.write(`listening ${uWS.us_socket_local_port(socket as never)}\n`);
  });
process.on('SIGTERM', () => process.exit(0));
