/**
 * `npx tsx emulators/perf.ts`: creates 25,000 contacts through
 * people.batchCreateContacts (200 per call, the real limit) with the
 * official client, then lists them as 25 pages of 1,000 with every person
 * field and prints timings; then the same for Graph (`$batch` of 20 creates,
 * a delta round of 25 pages of 1,000). Emulator time is measured
 * server-side (read, handle, serialise) so client parsing is separate.
 */
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { googlePeopleClient, graphClient } from "./clients";
import { caBundleWithEmulatorCert, createAccount, mintToken, processTrustsEmulatorCert, startGoogleEmulator, startMicrosoftEmulator } from "./index";

const TOTAL = 25_000;
const BATCH = 200;
const ALL_FIELDS =
  "addresses,ageRanges,biographies,birthdays,calendarUrls,clientData,coverPhotos,emailAddresses,events,externalIds,genders,imClients,interests,locales,locations,memberships,metadata,miscKeywords,names,nicknames,occupations,organizations,phoneNumbers,photos,relations,sipAddresses,skills,urls,userDefined";

function contact(i: number): Record<string, unknown> {
  return {
    names: [{ givenName: `Given${i}`, familyName: `Family${i}` }],
    emailAddresses: [{ value: `person${i}@example.com`, type: "work" }, { value: `p${i}@home.example`, type: "home" }],
    phoneNumbers: [{ value: `+1 212 555 ${String(i % 10000).padStart(4, "0")}`, type: "mobile" }],
    addresses: [{ streetAddress: `${i} Main St`, city: "Springfield", region: "IL", postalCode: "62701", country: "United States", countryCode: "US", type: "home" }],
    organizations: [{ name: "Acme Corporation", title: "Engineer", type: "work" }],
    imClients: [{ username: `user${i}`, protocol: "skype", type: "work" }],
    biographies: [{ value: `Notes for contact ${i}.`, contentType: "TEXT_PLAIN" }],
    birthdays: [{ date: { year: 1980 + (i % 30), month: 1 + (i % 12), day: 1 + (i % 28) } }],
  };
}

function ms(n: number): string {
  return `${n.toFixed(0)} ms`;
}

async function googlePerf(): Promise<void> {
  const serverTimes: number[] = [];
  const emu = await startGoogleEmulator({
    log: (line) => {
      const m = / \(([\d.]+) ms\)$/.exec(line);
      if (m) serverTimes.push(Number(m[1]));
    },
  });
  const email = "perf@example.com";
  await createAccount(emu.url, email, "Perf Test");
  const token = await mintToken(emu.url, email);
  const client = googlePeopleClient(emu.url, { access_token: token.access_token });

  serverTimes.length = 0;
  const createStart = performance.now();
  for (let offset = 0; offset < TOTAL; offset += BATCH) {
    const contacts = Array.from({ length: BATCH }, (_, j) => ({ contactPerson: contact(offset + j) }));
    await client.people.batchCreateContacts({ requestBody: { contacts, readMask: "names" } });
  }
  const createMs = performance.now() - createStart;
  const createServer = serverTimes.reduce((a, b) => a + b, 0);
  console.log(`batchCreateContacts: ${TOTAL} contacts in ${TOTAL / BATCH} calls: ${ms(createMs)} wall, ${ms(createServer)} emulator (${(createServer / (TOTAL / BATCH)).toFixed(1)} ms/call)`);

  serverTimes.length = 0;
  const pageTimes: number[] = [];
  let pageToken: string | undefined;
  let seen = 0;
  let syncToken: string | null | undefined;
  const listStart = performance.now();
  do {
    const t = performance.now();
    const res = await client.people.connections.list({ resourceName: "people/me", personFields: ALL_FIELDS, pageSize: 1000, pageToken, requestSyncToken: true });
    pageTimes.push(performance.now() - t);
    seen += res.data.connections?.length ?? 0;
    pageToken = res.data.nextPageToken ?? undefined;
    syncToken = res.data.nextSyncToken;
  } while (pageToken);
  const listMs = performance.now() - listStart;
  const worstServer = Math.max(...serverTimes);
  const avgServer = serverTimes.reduce((a, b) => a + b, 0) / serverTimes.length;
  console.log(
    `connections.list: ${seen} contacts in ${pageTimes.length} pages of 1000 (all person fields): ${ms(listMs)} wall; emulator per page avg ${avgServer.toFixed(1)} ms, max ${worstServer.toFixed(1)} ms; client round trip per page avg ${(listMs / pageTimes.length).toFixed(0)} ms, max ${ms(Math.max(...pageTimes))}; sync token ${syncToken ? "received" : "MISSING"}`,
  );

  serverTimes.length = 0;
  const incStart = performance.now();
  const inc = await client.people.connections.list({ resourceName: "people/me", personFields: ALL_FIELDS, pageSize: 1000, syncToken: syncToken ?? undefined, requestSyncToken: true });
  console.log(`incremental sync with no changes: ${inc.data.connections?.length ?? 0} changes, ${ms(performance.now() - incStart)} wall, ${serverTimes[0]?.toFixed(1) ?? "?"} ms emulator`);
  console.log(`heap used (client and emulator): ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(0)} MB`);
  await emu.close();
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

async function microsoftPerf(): Promise<void> {
  const serverTimes: number[] = [];
  const emu = await startMicrosoftEmulator({
    log: (line) => {
      const m = / \(([\d.]+) ms\)$/.exec(line);
      if (m) serverTimes.push(Number(m[1]));
    },
  });
  const email = "perf@outlook.com";
  await createAccount(emu.url, email, "Perf Test");
  const token = await mintToken(emu.url, email);
  const client = graphClient(emu, () => token.access_token);
  const folder = await client.api("/me/contactFolders").post({ displayName: "Perf" });

  serverTimes.length = 0;
  const createStart = performance.now();
  for (let offset = 0; offset < TOTAL; offset += 20) {
    const requests = Array.from({ length: 20 }, (_, j) => ({
      id: String(j + 1),
      method: "POST",
      url: `/me/contactFolders/${folder.id}/contacts`,
      headers: { "Content-Type": "application/json" },
      body: { givenName: `Given${offset + j}`, surname: `Family${offset + j}`, emailAddresses: [{ address: `p${offset + j}@example.com` }], businessPhones: ["+1 212 555 0100"], companyName: "Acme", jobTitle: "Engineer", birthday: "1980-01-02", personalNotes: "Notes" },
    }));
    await client.api("/$batch").post({ requests });
  }
  const createMs = performance.now() - createStart;
  console.log(`$batch creates: ${TOTAL} contacts in ${TOTAL / 20} batches of 20: ${ms(createMs)} wall, ${ms(sum(serverTimes))} emulator (${(sum(serverTimes) / (TOTAL / 20)).toFixed(1)} ms/batch)`);

  serverTimes.length = 0;
  const pageTimes: number[] = [];
  let url: string | undefined = `/me/contactFolders/${folder.id}/contacts/delta`;
  let seen = 0;
  const deltaStart = performance.now();
  while (url) {
    const t = performance.now();
    const page = await client.api(url).header("Prefer", "odata.maxpagesize=1000").get();
    pageTimes.push(performance.now() - t);
    seen += (page.value as unknown[]).length;
    url = page["@odata.nextLink"] as string | undefined;
  }
  console.log(
    `contacts delta: ${seen} contacts in ${pageTimes.length} pages of 1000: ${ms(performance.now() - deltaStart)} wall; emulator per page avg ${(sum(serverTimes) / serverTimes.length).toFixed(1)} ms, max ${Math.max(...serverTimes).toFixed(1)} ms`,
  );
  await emu.close();
}

async function main(): Promise<void> {
  // The Graph client needs the emulator's certificate trusted at process start: re-run ourselves if it is not.
  if (!processTrustsEmulatorCert()) {
    const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit", env: { ...process.env, NODE_EXTRA_CA_CERTS: caBundleWithEmulatorCert() } });
    process.exit(child.status ?? 1);
  }
  await googlePerf();
  await microsoftPerf();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
