// The app's HTTP server: Next.js behind a plain Node server, so that the one thing Next cannot
// tell the app — who is on the other end of the socket — is stamped on every request as
// `x-tandem-client-address`, after removing whatever a client sent under that name. It is the
// socket's address, or, behind TRUST_PROXY_HOPS trusted proxies, the address those proxies
// report in X-Forwarded-For (the one that many hops from the right). The sign-in throttle keys
// on it; a client cannot choose it by sending X-Forwarded-For.
//   node scripts/server.mjs [--dev] [-p PORT]
import http from "node:http";
import next from "next";
import { clientAddress } from "./client-address.mjs";

const args = process.argv.slice(2);
const dev = args.includes("--dev");
const portIndex = args.indexOf("-p");
const port = Number(portIndex >= 0 ? args[portIndex + 1] : process.env.PORT ?? 3000);
const hops = Number(process.env.TRUST_PROXY_HOPS ?? 0);
if (!Number.isInteger(hops) || hops < 0 || hops > 10) {
  console.error(`TRUST_PROXY_HOPS must be a whole number from 0 to 10, not "${process.env.TRUST_PROXY_HOPS}".`);
  process.exit(2);
}

const app = next({ dev, port, hostname: "localhost" });
const handle = app.getRequestHandler();
await app.prepare();
const server = http.createServer((req, res) => {
  req.headers["x-tandem-client-address"] = clientAddress(req.headers["x-forwarded-for"], req.socket.remoteAddress ?? "unknown", hops);
  void handle(req, res);
});
server.listen(port, () => console.log(`[tandem] listening on http://localhost:${port}${dev ? " (dev)" : ""}`));
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
