// Initial one-way sync of a group of N contacts (every mapped field filled), on either provider,
// against the emulator, with the real engine and database. Prints one line of figures and a
// JSON record: wall time, provider calls by endpoint, peak RSS.
//   npx tsx bench/initial-sync.ts --provider google|microsoft --contacts 1000 [--db pglite|postgres]
// Postgres: set DATABASE_URL (a throwaway database is created in it).
import { parseArgs } from "node:util";
import { people, auth as googleAuth } from "@googleapis/people";
import { Client } from "@microsoft/microsoft-graph-client";
import { createAccount, getStats, mintToken, resetStats, startGoogleEmulator, startMicrosoftEmulator } from "@/emulators";
import { createDb } from "@/db/client";
import { seedDemo } from "@/db/seed";
import { adapterForConnection, createConnection } from "@/lib/sync/connections";
import { runSync } from "@/lib/sync/engine";
import { syncConnections } from "@/db/schema";
import { eq } from "drizzle-orm";

const { values } = parseArgs({
  options: {
    provider: { type: "string", default: "google" },
    contacts: { type: "string", default: "1000" },
    db: { type: "string", default: "pglite" },
  },
});
const provider = values.provider === "microsoft" ? "microsoft" : "google";
const N = Number(values.contacts);

function contact(i: number) {
  return {
    given: `Given${i}`,
    family: `Family${i}`,
    email: `person${i}@example.com`,
    phone: `+1415555${String(i % 10_000).padStart(4, "0")}`,
    company: `Company ${i % 50}`,
    title: "Engineer",
    notes: `Met at conference ${i}`,
    street: `${i} Main St, Springfield`,
    im: `im${i}`,
    birthday: { year: 1970 + (i % 30), month: 1 + (i % 12), day: 1 + (i % 28) },
  };
}

async function seedGoogle(url: string, email: string, token: string): Promise<string> {
  const oauth = new googleAuth.OAuth2();
  oauth.setCredentials({ access_token: token });
  const api = people({ version: "v1", auth: oauth, rootUrl: `${url}/` });
  const group = (await api.contactGroups.create({ requestBody: { contactGroup: { name: "Clients" } } })).data.resourceName!;
  for (let i = 0; i < N; i += 200) {
    const contacts = Array.from({ length: Math.min(200, N - i) }, (_, k) => {
      const c = contact(i + k);
      return {
        contactPerson: {
          names: [{ givenName: c.given, familyName: c.family }],
          emailAddresses: [{ value: c.email, type: "work" }],
          phoneNumbers: [{ value: c.phone, type: "mobile" }],
          organizations: [{ name: c.company, title: c.title }],
          biographies: [{ value: c.notes, contentType: "TEXT_PLAIN" }],
          addresses: [{ formattedValue: c.street, type: "home" }],
          imClients: [{ username: c.im, protocol: "skype" }],
          birthdays: [{ date: c.birthday }],
          memberships: [{ contactGroupMembership: { contactGroupResourceName: group } }],
        },
      };
    });
    await api.people.batchCreateContacts({ requestBody: { contacts, readMask: "names" } });
  }
  return group;
}

async function seedMicrosoft(url: string, token: string): Promise<string> {
  const client = Client.init({ authProvider: (done) => done(null, token), baseUrl: `${url}/`, defaultVersion: "v1.0", customHosts: new Set([new URL(url).hostname]) });
  const folder = (await client.api("/me/contactFolders").post({ displayName: "Clients" })) as { id: string };
  for (let i = 0; i < N; i += 20) {
    const requests = Array.from({ length: Math.min(20, N - i) }, (_, k) => {
      const c = contact(i + k);
      return {
        id: String(k),
        method: "POST",
        url: `/me/contactFolders/${folder.id}/contacts`,
        headers: { "Content-Type": "application/json" },
        body: {
          givenName: c.given,
          surname: c.family,
          emailAddresses: [{ address: c.email, name: c.email }],
          mobilePhone: c.phone,
          companyName: c.company,
          jobTitle: c.title,
          personalNotes: c.notes,
          homeAddress: { street: c.street },
          imAddresses: [c.im],
          birthday: `${c.birthday.year}-${String(c.birthday.month).padStart(2, "0")}-${String(c.birthday.day).padStart(2, "0")}T00:00:00Z`,
        },
      };
    });
    await client.api("/$batch").post({ requests });
  }
  return folder.id;
}

async function main(): Promise<void> {
  const emu = provider === "google" ? await startGoogleEmulator({ port: 0 }) : await startMicrosoftEmulator({ port: 0 });
  const handle = await createDb(values.db === "postgres" && process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : {});
  try {
    const demo = await seedDemo(handle.db);
    const email = "bench@example.com";
    await createAccount(emu.url, email, "Bench");
    const token = (await mintToken(emu.url, email)).access_token;
    const seedStart = Date.now();
    const groupId = provider === "google" ? await seedGoogle(emu.url, email, token) : await seedMicrosoft(emu.url, token);
    const seedMs = Date.now() - seedStart;
    await resetStats(emu.url, email);
    const id = await createConnection(handle.db, {
      companyId: demo.companyId,
      userId: demo.users.east,
      provider,
      accountEmail: email,
      tokens: { accessToken: token },
      groupId,
      direction: "one_way",
      visibility: "company",
    });
    const [conn] = await handle.db.select().from(syncConnections).where(eq(syncConnections.id, id));
    const endpoints = provider === "google" ? { googleRootUrl: `${emu.url}/`, graphBaseUrl: "" } : { googleRootUrl: "", graphBaseUrl: `${emu.url}/` };
    const adapter = await adapterForConnection(handle.db, conn!, { endpoints });
    let peak = process.memoryUsage().rss;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const start = Date.now();
    const summary = await runSync({ db: handle.db, connectionId: id, trigger: "cli", adapter });
    const ms = Date.now() - start;
    clearInterval(timer);
    const stats = await getStats(emu.url, email);
    const record = {
      bench: `initial-${provider}`,
      contacts: N,
      db: values.db,
      ms,
      seedMs,
      calls: stats.total,
      byEndpoint: stats.byEndpoint,
      peakRssMb: Math.round(peak / 1e6),
      outcome: summary.status === "done" ? summary.outcome : summary.reason,
      added: summary.status === "done" ? summary.counts.crmAdded : 0,
    };
    console.log(`initial-${provider} ${N} contacts (${values.db}): ${ms} ms, ${stats.total} provider calls, peak RSS ${record.peakRssMb} MB, added ${record.added}`);
    console.log(JSON.stringify(record));
  } finally {
    await handle.close();
    await emu.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
