// The HTTP agent every provider request goes through: before a connection is opened, the host
// name is resolved once, each address it resolves to is checked against the address rule
// (address-rule.ts), and the connection goes to the address that was checked — so a name that
// answers a public address to the check and a private one to the connection (DNS rebinding)
// cannot slip through. An address in the URL itself (`http://127.0.0.1`, `http://[::1]`,
// `http://2130706433/`, which URL parsing turns into 127.0.0.1) is checked the same way.
import "server-only";
import dns from "node:dns";
import net from "node:net";
import { Agent, buildConnector, type Dispatcher } from "undici";
import { bare, type AllowList } from "./address-rule";

/** A host name's addresses (the system's resolver; tests answer for their own names). */
export type Resolve = (hostname: string) => Promise<{ address: string }[]>;

const systemResolve: Resolve = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** A connection the address rule refused: nothing was sent to it. */
export class AddressRefusedError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    // (The address stays on the error, for logs: the message may reach the user, who need not
    // learn what a name resolves to inside the network.)
    super(`${host} is on a private or reserved network: Tandem does not connect there`);
    this.name = "AddressRefusedError";
  }
}

export type GuardOptions = {
  allow: AllowList;
  resolve?: Resolve;
  /** Opens the connection to the checked address (undici's connector by default). */
  connect: buildConnector.connector;
};

/** An undici connector that checks the address first: `connect` is never called for a refused
 * one. */
export function guardedConnector({ allow, resolve = systemResolve, connect }: GuardOptions): buildConnector.connector {
  return (options, callback) => {
    const host = bare(options.hostname);
    const port = options.port || (options.protocol === "https:" ? "443" : "80");
    const checked = async (): Promise<string> => {
      const addresses = net.isIP(host) ? [host] : (await resolve(host)).map((a) => a.address);
      if (addresses.length === 0) throw Object.assign(new Error(`${host} has no address`), { code: "ENOTFOUND" });
      const refused = addresses.find((address) => !allow.allows(host, port, address));
      if (refused) throw new AddressRefusedError(host, refused);
      return addresses[0]!;
    };
    checked().then(
      // `host` (name and port) stays as it was: TLS checks the certificate against the name.
      (address) => connect({ ...options, hostname: address }, callback),
      (error: Error) => callback(error, null),
    );
  };
}

export type AgentOptions = {
  allow: AllowList;
  resolve?: Resolve;
  /** A certificate to trust besides the system's (demo mode: the emulator's). */
  ca?: string | Buffer;
};

/** An agent whose connections are checked by the address rule. */
export function guardedAgent({ allow, resolve, ca }: AgentOptions): Dispatcher {
  const connect = buildConnector({ timeout: 10_000, ...(ca ? { ca } : {}) });
  return new Agent({ connect: guardedConnector({ allow, resolve, connect }) });
}
