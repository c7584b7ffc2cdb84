// CardDAV (RFC 6352): any address-book server — iCloud, Fastmail, Yahoo, Nextcloud, mailbox.org,
// Synology, Radicale, Xandikos. The user gives the server, a username and an app-specific
// password; we find the address books (RFC 6764 discovery) and keep the password sealed, as
// OAuth tokens are. Groups are address books, and group cards inside them.
import fs from "node:fs";
import { UserError } from "@/lib/errors";
import { demoMode, env } from "@/lib/env";
import type { PasswordSignIn, ProviderDefinition } from "../definition";
import type { SignInService } from "../detect";
import { createCardDavAdapter } from "./adapter";
import { davSession, DavError, discoverHome, listAddressBooks } from "./dav";

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

const demoUrl = () => `http://127.0.0.1:${env().CARDDAV_DEMO_PORT}`;

/** The demo's CardDAV server is Radicale, run by the app when it is installed. */
function radicaleInstalled(): boolean {
  try {
    fs.accessSync(env().RADICALE_BIN, fs.constants.X_OK);
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
  if (url.protocol === "http:" && !loopback && !env().CARDDAV_ALLOW_HTTP) {
    throw new UserError("carddav.httpsRequired", { fields: { serverUrl: "field.useHttps" } });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new UserError("carddav.httpsOnly", { fields: { serverUrl: "field.useHttps" } });
  if (url.username || url.password) throw new UserError("carddav.credentialsInUrl", { fields: { serverUrl: "field.noCredentialsHere" } });
  return url;
}

/** Checks the credentials at once and finds the address-book home. */
async function verify(input: PasswordSignIn): Promise<{ apiBaseUrl: string }> {
  const url = checkServerUrl(input.serverUrl);
  const session = davSession(url.href, input.username, input.password);
  try {
    const { homeUrl } = await discoverHome(session);
    const books = await listAddressBooks(session, homeUrl);
    if (books.length === 0) throw new UserError("carddav.noAddressBook");
    return { apiBaseUrl: homeUrl };
  } catch (error) {
    if (error instanceof UserError) throw error;
    if (error instanceof DavError && error.status === 401) {
      throw new UserError("carddav.passwordRefused", { fields: { password: "field.notAccepted" } });
    }
    if (error instanceof DavError && error.status >= 500) throw new UserError("carddav.serverFailing", { values: { host: url.host, status: error.status } });
    if (error instanceof TypeError || (error instanceof Error && error.name === "TimeoutError")) {
      throw new UserError("carddav.unreachable", { values: { host: url.host }, fields: { serverUrl: "field.notReachable" } });
    }
    throw new UserError("carddav.notCardDav", { values: { url: url.href }, fields: { serverUrl: "field.notCardDav" } });
  }
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
  groupHint: "contactSync.groupHint.carddav",
  auth: { kind: "password", verify },
  available: (): boolean => true,
  demo: {
    active: (): boolean => demoMode() && radicaleInstalled(),
    emulatorPort: () => env().CARDDAV_DEMO_PORT,
    emulatorUrl: demoUrl,
    exampleAccount: "sam.taylor@carddav.test",
    examplePassword: "demo-app-password",
  },
  createAdapter: createCardDavAdapter,
} as const satisfies ProviderDefinition<"carddav">;
