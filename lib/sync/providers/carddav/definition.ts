// CardDAV (RFC 6352): any address-book server — iCloud, Fastmail, Yahoo, Nextcloud, mailbox.org,
// Synology, Radicale, Xandikos. The user gives the server, a username and an app-specific
// password; we find the address books (RFC 6764 discovery) and keep the password sealed, as
// OAuth tokens are. Groups are address books, and group cards inside them.
import fs from "node:fs";
import type { Dispatcher } from "undici";
import { UserError } from "@/lib/errors";
import { demoMode } from "@/lib/env";
import type { PasswordSignIn, ProviderDefinition } from "../definition";
import type { SignInService } from "../detect";
import { AddressRefusedError } from "../../outbound/agent";
import { OriginRefusedError, RedirectRefusedError, ResponseTooLargeError } from "../../outbound/fetch";
import { providerAgent } from "../../outbound/policy";
import { createCardDavAdapter } from "./adapter";
import { davSession, DavError, discoverHome, listAddressBooks } from "./dav";
import { carddavEnv, carddavKeys } from "./env";
import { signInMayReach } from "./origins";

const SERVICES: SignInService[] = [
  {
    name: "iCloud",
    domains: ["icloud.com", "me.com", "mac.com"],
    serverUrl: "https://contacts.icloud.com",
    passwordHelp: "Create an app-specific password at account.apple.com, under Sign-In and Security. Your username is your Apple Account e-mail.",
  },
  {
    name: "Fastmail",
    domains: ["fastmail.com", "fastmail.fm", "fastmail.net"],
    serverUrl: "https://carddav.fastmail.com",
    passwordHelp: "Create an app password with CardDAV access in Fastmail's Settings, under Privacy & Security › Manage app passwords.",
  },
  {
    name: "Yahoo",
    domains: ["yahoo.*", "ymail.com"],
    serverUrl: "https://carddav.address.yahoo.com",
    passwordHelp: "Generate an app password in Yahoo's Account Security settings.",
  },
];

const demoUrl = () => `http://127.0.0.1:${carddavKeys().CARDDAV_DEMO_PORT}`;

/** The demo's CardDAV server is Radicale, run by the app when it is installed. */
function radicaleInstalled(): boolean {
  try {
    fs.accessSync(carddavKeys().RADICALE_BIN, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A server URL the app may call with a user's password. */
function checkServerUrl(input: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(input.trim()) ? input.trim() : `https://${input.trim()}`);
  } catch {
    throw new UserError("carddav.notAUrl", { fields: { serverUrl: "field.notAUrl" } });
  }
  // Plain http never leaves this machine, unless the installation allows it.
  const loopback = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/i.test(url.hostname);
  if (url.protocol === "http:" && !loopback && !carddavKeys().CARDDAV_ALLOW_HTTP) {
    throw new UserError("carddav.httpsRequired", { fields: { serverUrl: "field.useHttps" } });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new UserError("carddav.httpsOnly", { fields: { serverUrl: "field.useHttps" } });
  if (url.username || url.password) throw new UserError("carddav.credentialsInUrl", { fields: { serverUrl: "field.noCredentialsHere" } });
  return url;
}

/** Checks the credentials at once and finds the address-book home; decides, once, which origins
 * the password may go to (origins.ts): the typed one and the https hosts of its registrable
 * domain that the discovery leads to. What went wrong is said by its kind, in our words: the
 * server is whatever was typed, and its own answer is not repeated. */
async function verify(input: PasswordSignIn, agent: () => Dispatcher = carddavAgent): Promise<{ apiBaseUrl: string; origins: string[] }> {
  const url = checkServerUrl(input.serverUrl);
  const reached = new Set([url.origin]);
  const mayRequest = (to: URL) => {
    const allowed = signInMayReach(url, to);
    if (allowed) reached.add(to.origin);
    return allowed;
  };
  const session = davSession(url.href, { username: input.username, password: input.password, mayRequest, agent });
  try {
    const { homeUrl } = await discoverHome(session);
    const books = await listAddressBooks(session, homeUrl);
    if (books.length === 0) throw new UserError("carddav.noAddressBook");
    return { apiBaseUrl: homeUrl, origins: [...reached] };
  } catch (error) {
    throw inWords(error, url);
  }
}

function inWords(error: unknown, url: URL): UserError {
  const host = url.host;
  if (error instanceof UserError) return error;
  if (error instanceof AddressRefusedError) return new UserError("carddav.privateAddress", { values: { host: error.host }, fields: { serverUrl: "field.privateNetwork" } });
  if (error instanceof OriginRefusedError || error instanceof RedirectRefusedError) {
    const to = error instanceof OriginRefusedError ? error.url : error.to;
    return new UserError("carddav.leftServer", { values: { host, to: to ? new URL(to).host : "?" }, fields: { serverUrl: "field.anotherSite" } });
  }
  if (error instanceof DavError && error.status === 401) return new UserError("carddav.passwordRefused", { fields: { password: "field.notAccepted" } });
  if (error instanceof DavError && error.status >= 500) return new UserError("carddav.serverFailing", { values: { host, status: error.status } });
  if (error instanceof DavError && error.status >= 400) return new UserError("carddav.serverRefused", { values: { host, status: error.status }, fields: { serverUrl: "field.notCardDav" } });
  if (error instanceof ResponseTooLargeError) return new UserError("carddav.tooLarge", { values: { host }, fields: { serverUrl: "field.notCardDav" } });
  if (error instanceof TypeError || (error instanceof Error && error.name === "TimeoutError")) {
    return new UserError("carddav.unreachable", { values: { host }, fields: { serverUrl: "field.notReachable" } });
  }
  return new UserError("carddav.notCardDav", { values: { url: url.href }, fields: { serverUrl: "field.notCardDav" } });
}

/** The agent of CardDAV requests: in demo mode it also reaches the demo server the app runs. */
function carddavAgent(): Dispatcher {
  return providerAgent({ origins: carddav.demo.active() ? [demoUrl()] : [] });
}

export const carddav = {
  id: "carddav",
  profile: {
    id: "carddav",
    label: "CardDAV",
    shortName: "CardDAV",
    appName: "the address book",
    accounts: "CardDAV (iCloud, Fastmail, Yahoo, Nextcloud…)",
    domains: SERVICES.flatMap((s) => s.domains),
    services: SERVICES,
  },
  groupHint: {
    en: "The account's address books, and the groups inside them.",
    sv: "Kontots adressböcker och grupperna i dem.",
  },
  env: carddavEnv,
  // Nothing to configure: a user brings the server.
  configured: () => false,
  live: "checks",
  auth: { kind: "password", verify, agent: carddavAgent },
  available: (): boolean => true,
  demo: {
    active: (): boolean => demoMode() && radicaleInstalled(),
    emulatorUrl: demoUrl,
    start: async (): Promise<void> => (await import("./demo-server")).startCardDavDemo({ port: carddavKeys().CARDDAV_DEMO_PORT, account: carddav.demo.exampleAccount, password: carddav.demo.examplePassword }),
    exampleAccount: "sam.taylor@carddav.test",
    examplePassword: "demo-app-password",
  },
  createAdapter: createCardDavAdapter,
} as const satisfies ProviderDefinition<"carddav">;
