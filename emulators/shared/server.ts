/**
 * Starting and stopping an emulator's HTTP(S) server. Every request body is
 * read up front (bounded), turned into an ApiRequest and handed to the
 * provider's dispatcher; close() drops keep-alive connections so tests that
 * start an emulator per file shut down instantly.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { BodyTooLargeError, jsonReply, readBody, toApiRequest, writeReply, type ApiRequest, type Reply } from "./http";

export type Dispatcher = (req: ApiRequest) => Promise<Reply>;

export interface RunningServer {
  server: Server;
  host: string;
  port: number;
  close(): Promise<void>;
}

export interface ListenOptions {
  host: string;
  port: number;
  tls?: { key: Buffer; cert: Buffer };
  dispatch: Dispatcher;
  /** Reply used when the body is over the size limit (provider-shaped). */
  tooLarge: () => Reply;
  /** Called after each response is written; `ms` covers body read, handling and serialisation. */
  onResponse?: (req: ApiRequest | null, status: number, ms: number) => void;
}

export async function startServer(opts: ListenOptions): Promise<RunningServer> {
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    void handle(req, res, opts);
  };
  const server: Server = opts.tls ? createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }, onRequest) : createHttpServer(onRequest);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    host: opts.host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: ListenOptions): Promise<void> {
  const started = performance.now();
  let reply: Reply;
  let apiReq: ApiRequest | null = null;
  try {
    const body = await readBody(req);
    apiReq = toApiRequest(req, body);
    reply = await opts.dispatch(apiReq);
  } catch (error) {
    if (error instanceof BodyTooLargeError) reply = opts.tooLarge();
    else {
      console.error("[emulator] unhandled error", error);
      reply = jsonReply(500, { error: { code: 500, message: "Internal error in emulator." } });
    }
  }
  if (!res.headersSent) writeReply(res, reply);
  opts.onResponse?.(apiReq, reply.status, performance.now() - started);
}

/** Host part for URLs: IPv6 literals need brackets. */
export function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
