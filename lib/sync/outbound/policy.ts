// The installation's outbound rule, and the agent each provider's requests go through: the
// address rule (address-rule.ts) with the hosts and ranges the installation allows
// (OUTBOUND_ALLOW), plus exactly the local origins the app itself was configured to talk to — a
// demo server it runs, or a provider endpoint an administrator set in the environment. Agents are
// made once per rule and kept (they pool connections).
import type { Dispatcher } from "undici";
import { env } from "@/lib/env";
import { AllowList } from "./address-rule";
import { guardedAgent } from "./agent";

let installation: AllowList | undefined;

/** OUTBOUND_ALLOW, as validated in lib/env.ts. */
export function installationAllowList(): AllowList {
  installation ??= AllowList.parse(env().OUTBOUND_ALLOW);
  return installation;
}

const agents = new Map<string, Dispatcher>();

export type ProviderAgentOptions = {
  /** Local servers this provider is configured with (their origin only: host and port). */
  origins?: string[];
  /** A certificate to trust for them (demo mode: the emulator's test certificate). */
  ca?: () => Buffer;
};

/** The agent for one provider's requests (and the installation's, with no options). */
export function providerAgent(opts: ProviderAgentOptions = {}): Dispatcher {
  const origins = (opts.origins ?? []).map((u) => new URL(u).origin).sort();
  const key = `${origins.join(" ")}|${opts.ca ? "ca" : ""}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = guardedAgent({ allow: installationAllowList().withOrigins(origins), ca: opts.ca?.() });
    agents.set(key, agent);
  }
  return agent;
}
