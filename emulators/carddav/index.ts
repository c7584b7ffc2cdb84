/**
 * Real CardDAV servers for tests, benchmarks and the demo: Radicale or Xandikos started as a
 * child process (server.ts), an in-process proxy in front of it that counts requests and
 * injects faults (proxy.ts), and a hand-written demo address book (demo-book.ts).
 */
export { radicaleAvailable, startDavServer, xandikosAvailable, type DavServer, type DavServerKind, type StartDavServerOptions } from "./server";
export { startDavProxy, type DavProxy } from "./proxy";
export { DEMO_BOOK_NAME, seedDemoAddressBook } from "./demo-book";
