// Which network addresses the app's outbound requests may reach. A server a user types (CardDAV)
// or an address a provider's answer names must not turn the app into a way into the network it
// runs in: loopback, private (RFC 1918), link-local (169.254.0.0/16: cloud metadata), CGNAT, ULA,
// multicast, broadcast, reserved and unspecified addresses are refused, in IPv4, IPv6 and
// IPv4-mapped IPv6 forms — only ipaddr.js's "unicast" (public) range passes. An installation may
// allow named hosts and ranges (OUTBOUND_ALLOW), and demo mode allows exactly the local servers
// it runs (an origin: host and port).
import ipaddr from "ipaddr.js";

/** A public unicast address: the only kind a request may reach unless allowed. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  // process(): an IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged as the IPv4 it maps.
  return ipaddr.process(address).range() === "unicast";
}

type Rule =
  | { kind: "host"; name: string }
  | { kind: "subdomains"; of: string }
  | { kind: "range"; range: [ipaddr.IPv4 | ipaddr.IPv6, number] }
  | { kind: "origin"; host: string; port: string };

/** Hosts and ranges allowed although not public. */
export class AllowList {
  private constructor(private readonly rules: readonly Rule[]) {}

  static readonly NONE = new AllowList([]);

  /** OUTBOUND_ALLOW: a comma-separated list of host names (`nas.local`), subdomains
   * (`*.corp.example`), addresses (`192.168.1.10`, `fd00::10`) and ranges (`10.0.0.0/8`).
   * Throws on an entry that is none of these. */
  static parse(text: string | undefined): AllowList {
    const rules: Rule[] = [];
    for (const raw of (text ?? "").split(",")) {
      const entry = raw.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
      if (!entry) continue;
      rules.push(parseEntry(entry));
    }
    return new AllowList(rules);
  }

  /** This list and exactly these origins' host and port (demo servers, configured endpoints). */
  withOrigins(urls: (string | URL)[]): AllowList {
    const origins = urls.map((u): Rule => {
      const url = new URL(u);
      return { kind: "origin", host: bare(url.hostname), port: url.port || (url.protocol === "https:" ? "443" : "80") };
    });
    return new AllowList([...this.rules, ...origins]);
  }

  /** Whether a connection to `address` (what `host` resolved to, or `host` itself when it is an
   * address) on `port` is allowed. */
  allows(host: string, port: string, address: string): boolean {
    if (isPublicAddress(address)) return true;
    const name = bare(host).toLowerCase();
    return this.rules.some((rule) => {
      switch (rule.kind) {
        case "host":
          return rule.name === name;
        case "subdomains":
          return name.endsWith(`.${rule.of}`);
        case "origin":
          return (rule.host === name || rule.host === address) && rule.port === port;
        case "range":
          return inRange(address, rule.range);
      }
    });
  }

  get size(): number {
    return this.rules.length;
  }
}

function parseEntry(entry: string): Rule {
  if (entry.startsWith("*.")) {
    const of = entry.slice(2);
    if (!isHostName(of)) throw new Error(`OUTBOUND_ALLOW: "${entry}" is not a host name pattern`);
    return { kind: "subdomains", of };
  }
  if (entry.includes("/")) {
    try {
      return { kind: "range", range: ipaddr.parseCIDR(entry) };
    } catch {
      throw new Error(`OUTBOUND_ALLOW: "${entry}" is not an address range`);
    }
  }
  if (ipaddr.isValid(entry)) {
    const address = ipaddr.process(entry);
    return { kind: "range", range: [address, address.kind() === "ipv4" ? 32 : 128] };
  }
  if (!isHostName(entry)) throw new Error(`OUTBOUND_ALLOW: "${entry}" is not a host name, an address or a range`);
  return { kind: "host", name: entry };
}

function inRange(address: string, [network, bits]: [ipaddr.IPv4 | ipaddr.IPv6, number]): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  return parsed.kind() === network.kind() && parsed.match(network, bits);
}

const isHostName = (value: string) => /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/.test(value);

/** A host without the brackets a URL puts around an IPv6 address. */
export const bare = (host: string) => (host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host);
