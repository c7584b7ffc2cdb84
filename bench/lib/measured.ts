// Child process: the measured work, alone in its process so that its peak RSS is its own.
//   tsx bench/lib/measured.ts '<json spec>'
// mode "sync":  one run of the real engine (what `npm run sync -- <id>` does: the connection's
//               adapter from adapterForConnection, then runSync), with a statement counter on
//               the database handle (same driver, pool of 4 like lib/sync/jobs/cli.ts), in a process
//               warmed up like a long-lived worker (pool open, client modules loaded).
// mode "preview": a first sync's preview (lib/sync/first-sync/preview.ts buildPreview): the whole group
//               listed, staged and paired with the persons the connection's user owns.
// mode "floor": the database floor of an initial sync: the same pages through the same client
//               and mapping, and the same rows (organizations, persons, links, "added" events)
//               written with one bulk INSERT statement per page; nothing else.
// mode "fetch": the physical floor's read: the same pages through the official client, no
//               mapping, no database.
// mode "copy":  the physical floor's write: the same rows (built before the clock starts)
//               COPY'd into tables that have only primary keys.
// Every mode also reports the process's CPU time during the work and its HTTP requests (fetch):
// their number and the time spent waiting for their answers (to the response headers), which
// tells the provider's share of a run whose requests are made one at a time (CardDAV).
import crypto from "node:crypto";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { eq, sql } from "drizzle-orm";
import { auth as googleAuth, people } from "@googleapis/people";
import { asUser } from "@/db/queries/person-writes";
import { getViewer } from "@/db/queries/users";
import { syncConnections } from "@/db/schema";
import type { DB } from "@/db/client";
import { changedFields, EMPTY_CONTACT, normalizeContact, type Contact } from "@/lib/sync/model/contact";
import * as realConnections from "@/lib/sync/accounts/connections";
import { contactToPersonColumns, ensureSyncCustomFields, type SyncFieldIds } from "@/lib/sync/engine/crm-side";
import * as realPhotos from "@/lib/sync/engine/photos";
import * as realEngine from "@/lib/sync/engine/run";
import type { RunSummary } from "@/lib/sync/engine/run";
import { buildPreview, type PreviewSummary } from "@/lib/sync/first-sync/preview";
import { davSession, isDelivered, multiget, pathOf, syncChanges } from "@/lib/sync/providers/carddav/dav";
import { projectForCardDav, readVCard } from "@/lib/sync/providers/carddav/vcard";
import { GOOGLE_PERSON_FIELDS, projectForGoogle, readGooglePerson } from "@/lib/sync/providers/google/mapping";
import { GRAPH_CONTACT_SELECT, projectForGraph, readGraphContact, type GraphContactItem } from "@/lib/sync/providers/microsoft/mapping";
import { createAccount, mintToken } from "@/emulators";
import { graphClient } from "@/emulators/clients";
import { providerDefinition } from "@/lib/sync/providers/registry";
import type { ProviderId } from "@/db/vocabulary";
import type { WarmAccount } from "./carddav";
import { CARDDAV_PAGE } from "./dav-requests";
import { diffTableStats, openCounted, ownTableStats, type DbCounts, type DbTarget } from "./db";
import { explainStatements } from "./explain";
import { sendResult } from "./proc";

/** warm: CardDAV only, the account the process warms its client with (the emulators make one). */
export type MeasuredSpec =
  | { mode: "sync"; target: DbTarget; connectionId: string; provider: ProviderId; apiUrl: string; warm?: WarmAccount }
  | { mode: "photos"; target: DbTarget; connectionId: string; provider: ProviderId; apiUrl: string; warm?: WarmAccount }
  | { mode: "preview"; target: DbTarget; connectionId: string; provider: ProviderId; apiUrl: string; warm?: WarmAccount }
  | { mode: "floor" | "fetch" | "copy"; target: DbTarget; connectionId: string; provider: ProviderId; emulatorUrl: string; token: string; username: string; groupId: string; warm?: WarmAccount };

export type MeasuredResult = {
  ms: number;
  db: DbCounts;
  /** Kernel high-water mark of this process's resident set (whole life, incl. start-up). */
  peakRssMb: number;
  /** RSS just before the measured work started. */
  startRssMb: number;
  /** CPU time (user + system) of this process during the work. */
  cpuMs: number;
  /** fetch requests during the work, and the sum of their waits for the response headers. */
  http: { requests: number; waitMs: number };
  /** The event loop during the work (perf_hooks.monitorEventLoopDelay, 10 ms resolution): its
   * longest stall and the 99th percentile of its delays — what a web server sharing this
   * process (`npm start` on the embedded database) would have suffered. */
  loop: { maxMs: number; p99Ms: number };
  summary?: RunSummary;
  photos?: realPhotos.PhotoSummary;
  preview?: PreviewSummary;
  rows?: number;
  /** PGlite only (read in this process): rows written / read per table during the work. */
  rowsWritten?: Record<string, string>;
  rowsRead?: Record<string, number>;
};

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

/** BENCH_SYNC_DIR=<dir>: run a patched copy of lib/sync instead (a proposed engine change,
 * measured before anyone applies it); the record names it (see report.ts). */
async function engine(): Promise<{
  runSync: typeof realEngine.runSync;
  syncPhotos: typeof realPhotos.syncPhotos;
  adapterForConnection: typeof realConnections.adapterForConnection;
}> {
  const dir = process.env.BENCH_SYNC_DIR;
  if (!dir) return { runSync: realEngine.runSync, syncPhotos: realPhotos.syncPhotos, adapterForConnection: realConnections.adapterForConnection };
  const load = (file: string) => import(pathToFileURL(path.resolve(dir, file)).href);
  const [e, p, c] = (await Promise.all([load("engine/run.ts"), load("engine/photos.ts"), load("accounts/connections.ts")])) as [
    typeof realEngine,
    typeof realPhotos,
    typeof realConnections,
  ];
  return { runSync: e.runSync, syncPhotos: p.syncPhotos, adapterForConnection: c.adapterForConnection };
}

/** Counts fetch requests and their waits for the response (adapters call the global fetch). */
function countFetches(): { requests: number; waitMs: number } {
  const counts = { requests: 0, waitMs: 0 };
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const t = performance.now();
    try {
      return await realFetch(input, init);
    } finally {
      counts.requests++;
      counts.waitMs += performance.now() - t;
    }
  };
  return counts;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? "{}") as MeasuredSpec;
  const http = countFetches();
  const { runSync, syncPhotos, adapterForConnection } = await engine();
  const { db, counter, close } = await openCounted(spec.target);
  try {
    let work: () => Promise<{ summary?: RunSummary; rows?: number; preview?: PreviewSummary }>;
    if (spec.mode === "preview") {
      const [conn] = await db.select().from(syncConnections).where(eq(syncConnections.id, spec.connectionId));
      const user = conn ? await getViewer(db, conn.userId) : null;
      if (!conn || !user) throw new Error(`no connection ${spec.connectionId}`);
      work = async () => ({ preview: await buildPreview(db, asUser(user), conn, await adapterForConnection(db, conn, { apiBaseUrl: `${spec.apiUrl}/` })) });
      await warmUp(db, spec.provider, spec.apiUrl, spec.warm);
    } else if (spec.mode === "sync" || spec.mode === "photos") {
      const [conn] = await db.select().from(syncConnections).where(eq(syncConnections.id, spec.connectionId));
      if (!conn) throw new Error(`no connection ${spec.connectionId}`);
      work = async () => {
        const adapter = await adapterForConnection(db, conn, { apiBaseUrl: `${spec.apiUrl}/` });
        return spec.mode === "sync"
          ? { summary: await runSync({ db, connectionId: spec.connectionId, trigger: "cli", adapter }) }
          : { photos: await syncPhotos({ db, connectionId: spec.connectionId, adapter }) };
      };
      await warmUp(db, spec.provider, spec.apiUrl, spec.warm);
    } else {
      const floor = spec.mode === "floor" ? await prepareFloor(db, spec) : spec.mode === "fetch" ? prepareFetch(spec) : await prepareCopy(db, spec);
      work = async () => ({ rows: await floor() });
      await warmUp(db, spec.provider, spec.emulatorUrl, spec.warm);
    }
    const statsBefore = spec.target.kind === "pglite" ? await ownTableStats(db) : null;
    counter.reset();
    if (process.env.BENCH_EXPLAIN) counter.capture = [];
    http.requests = 0;
    http.waitMs = 0;
    const startRss = process.memoryUsage().rss;
    const startCpu = process.cpuUsage();
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const start = performance.now();
    const out = await work();
    const ms = Math.round(performance.now() - start);
    loop.disable();
    const cpu = process.cpuUsage(startCpu);
    const waited = { requests: http.requests, waitMs: Math.round(http.waitMs) };
    const counts = counter.snapshot();
    const captured = counter.capture;
    counter.capture = null;
    const rows = statsBefore ? diffTableStats(statsBefore, await ownTableStats(db)) : null;
    // BENCH_EXPLAIN=1: EXPLAIN ANALYZE of the statements the work issued, costliest first.
    if (captured) await explainStatements(db, captured, Number(process.env.BENCH_EXPLAIN) > 1 ? Number(process.env.BENCH_EXPLAIN) : 8);
    sendResult({
      ms,
      db: counts,
      ...(rows ? { rowsWritten: rows.written, rowsRead: rows.read } : {}),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      startRssMb: mb(startRss),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      http: waited,
      loop: { maxMs: Math.round(loop.max / 1e6), p99Ms: Math.round(loop.percentile(99) / 1e6) },
      ...out,
    } satisfies MeasuredResult);
  } finally {
    await close();
  }
}

/** What a long-lived worker has ready before a run starts, so that a run's figure is the run's
 * own: the pool's connections open, and the provider client, its HTTP stack and connection
 * warmed by one call made for another (throwaway) account of the emulator, so that the
 * benchmark account's counters see only the run. CardDAV: the groups and a pull (one card) of
 * the warm-up account's book, so that the XML and vCard parsers have run once too. */
async function warmUp(db: DB, provider: ProviderId, apiUrl: string, warm: WarmAccount | undefined): Promise<void> {
  await Promise.all(Array.from({ length: 4 }, () => db.execute(sql`select 1`)));
  if (provider === "carddav") {
    if (!warm) throw new Error("CardDAV: no warm-up account");
    const credentials = { kind: "basic" as const, username: warm.username, password: warm.password, origins: [new URL(warm.apiBaseUrl).origin] };
    const adapter = providerDefinition(provider).createAdapter({ apiBaseUrl: warm.apiBaseUrl, credentials, groupId: warm.groupId, defaultCountry: "US" });
    await adapter.listGroups();
    await adapter.pull(null, async () => {});
    return;
  }
  const email = `warm-up-${process.pid}@example.com`;
  await createAccount(apiUrl, email);
  const { access_token } = await mintToken(apiUrl, email);
  const adapter = providerDefinition(provider).createAdapter({ apiBaseUrl: `${apiUrl}/`, credentials: { kind: "bearer", accessToken: async () => access_token }, groupId: "unused", defaultCountry: "US" });
  await adapter.listGroups();
}

// ---- floor ---------------------------------------------------------------------------------

type Row = Record<string, unknown>;

/** A contact of a page, read and projected as the adapter would. */
type ReadContact = { id: string; etag: string; contact: Contact };
type FloorSpec = Extract<MeasuredSpec, { emulatorUrl: string }>;

/** The initial listing's pages through the provider's official client (CardDAV: tsdav's
 * requests), each handed over as the client returns it; `read` maps a page as the adapter does. */
function floorPages(spec: FloorSpec): { each: (onPage: (raw: unknown[]) => Promise<void>) => Promise<void>; read: (raw: unknown[]) => ReadContact[] } {
  if (spec.provider === "carddav") {
    const session = davSession(spec.emulatorUrl, { username: spec.username, password: spec.token, mayRequest: (url) => url.origin === new URL(spec.emulatorUrl).origin });
    const bookUrl = new URL(spec.groupId, spec.emulatorUrl).href;
    const mapping = { defaultCountry: "US" };
    type Card = Awaited<ReturnType<typeof multiget>>[number];
    return {
      each: async (onPage) => {
        const { changed } = await syncChanges(session, bookUrl, null);
        const ids = changed.map((href) => pathOf(href, bookUrl)).sort();
        for (let i = 0; i < ids.length; i += CARDDAV_PAGE) await onPage(await multiget(session, bookUrl, ids.slice(i, i + CARDDAV_PAGE).map((id) => new URL(id, bookUrl).href)));
      },
      read: (raw) =>
        (raw as Card[])
          .flatMap((card) => (isDelivered(card) ? [{ card, read: readVCard(card.text, mapping) }] : []))
          .flatMap((c) => (c.read.kind === "group" ? [] : [{ id: pathOf(c.card.href, bookUrl), etag: c.card.etag, contact: projectForCardDav(c.read.contact) }])),
    };
  }
  if (spec.provider === "google") {
    const oauth = new googleAuth.OAuth2();
    oauth.setCredentials({ access_token: spec.token });
    const api = people({ version: "v1", auth: oauth, rootUrl: `${spec.emulatorUrl}/` });
    const mapping = { groupResourceName: spec.groupId, defaultCountry: "US" };
    return {
      each: async (onPage) => {
        let pageToken: string | undefined;
        do {
          const { data } = await api.people.connections.list({
            resourceName: "people/me",
            personFields: `${GOOGLE_PERSON_FIELDS},clientData`,
            pageSize: 1000,
            requestSyncToken: true,
            sources: ["READ_SOURCE_TYPE_CONTACT"],
            ...(pageToken ? { pageToken } : {}),
          });
          await onPage(data.connections ?? []);
          pageToken = data.nextPageToken ?? undefined;
        } while (pageToken);
      },
      read: (raw) =>
        (raw as Parameters<typeof readGooglePerson>[0][])
          .map((p) => readGooglePerson(p, mapping))
          .filter((r) => r.inScope && !r.deleted)
          .map((r) => ({ id: r.id, etag: r.etag, contact: projectForGoogle(r.contact) })),
    };
  }
  const client = graphClient(spec.emulatorUrl, () => spec.token);
  const mapping = { folderId: spec.groupId, defaultCountry: "US" };
  return {
    each: async (onPage) => {
      let url: string | undefined = `/me/contactFolders/${encodeURIComponent(spec.groupId)}/contacts/delta?$select=${GRAPH_CONTACT_SELECT}`;
      while (url) {
        const page = (await client.api(url).header("Prefer", "odata.maxpagesize=1000").get()) as { value?: GraphContactItem[]; "@odata.nextLink"?: string };
        await onPage(page.value ?? []);
        url = page["@odata.nextLink"];
      }
    },
    read: (raw) =>
      (raw as GraphContactItem[])
        .map((item) => readGraphContact(item, mapping))
        .filter((r) => r.inScope && !r.deleted)
        .map((r) => ({ id: r.id, etag: r.etag, contact: projectForGraph(r.contact) })),
  };
}

type FloorRows = { organizations: Row[]; persons: Row[]; sync_links: Row[]; sync_events: Row[] };

/** Builds the rows an initial sync writes for a page: new organizations, persons, links and
 * "added" events, as the engine would (one conversion per contact, nothing checked). */
async function floorRowBuilder(db: DB, connectionId: string): Promise<(contacts: ReadContact[]) => FloorRows> {
  const [conn] = await db.select().from(syncConnections).where(eq(syncConnections.id, connectionId));
  if (!conn) throw new Error(`no connection ${connectionId}`);
  const fieldIds = await ensureSyncCustomFields(db, conn.companyId);
  const orgs = new Map<string, string>();
  const now = new Date().toISOString();
  const empty = normalizeContact(EMPTY_CONTACT, "US");
  return (contacts) => {
    const rows: FloorRows = { organizations: [], persons: [], sync_links: [], sync_events: [] };
    for (const c of contacts) {
      const orgName = c.contact.organization;
      let orgId: string | null = null;
      if (orgName) {
        orgId = orgs.get(orgName.toLowerCase()) ?? null;
        if (!orgId) {
          orgId = crypto.randomUUID();
          orgs.set(orgName.toLowerCase(), orgId);
          rows.organizations.push({ id: orgId, company_id: conn.companyId, name: orgName, address: null, owner_id: conn.userId, created_at: now, updated_at: now });
        }
      }
      const personId = crypto.randomUUID();
      rows.persons.push(personRow(personId, conn, contactToPersonColumns(c.contact, fieldIds as SyncFieldIds, {}, orgId), now));
      rows.sync_links.push({ id: crypto.randomUUID(), connection_id: conn.id, person_id: personId, state: "linked", provider_id: c.id, etag: c.etag, base: c.contact, crm_version: 1, crm_changed: false, created_at: now, updated_at: now });
      rows.sync_events.push({
        id: crypto.randomUUID(),
        connection_id: conn.id,
        run_id: null,
        person_id: personId,
        provider_id: c.id,
        kind: "added",
        side: "crm",
        label: [c.contact.firstName, c.contact.lastName].filter(Boolean).join(" "),
        changes: changedFields(empty, c.contact).map((field) => ({ field, old: empty[field], new: c.contact[field] })),
        detail: {},
        resolved_at: null,
        created_at: now,
      });
    }
    return rows;
  };
}

/** The database floor: the pages read and mapped, their rows written with one bulk INSERT
 * statement per page into the real tables (their indexes, triggers and constraints included). */
async function prepareFloor(db: DB, spec: FloorSpec): Promise<() => Promise<number>> {
  const pages = floorPages(spec);
  const build = await floorRowBuilder(db, spec.connectionId);
  return async () => {
    let written = 0;
    await pages.each(async (raw) => {
      const rows = build(pages.read(raw));
      if (rows.persons.length === 0) return;
      await db.execute(sql`
        with o as (insert into organizations select * from json_populate_recordset(null::organizations, ${JSON.stringify(rows.organizations)}::json)),
             p as (insert into persons select * from json_populate_recordset(null::persons, ${JSON.stringify(rows.persons)}::json)),
             l as (insert into sync_links select * from json_populate_recordset(null::sync_links, ${JSON.stringify(rows.sync_links)}::json))
        insert into sync_events select * from json_populate_recordset(null::sync_events, ${JSON.stringify(rows.sync_events)}::json)`);
      written += rows.persons.length;
    });
    return written;
  };
}

/** The physical floor's read: the same pages through the official client, bodies parsed into
 * the client's objects, nothing mapped, no database. */
function prepareFetch(spec: FloorSpec): () => Promise<number> {
  const pages = floorPages(spec);
  return async () => {
    let items = 0;
    await pages.each(async (raw) => {
      items += raw.length;
    });
    return items;
  };
}

/** One CSV field: NULL unquoted and empty, everything else quoted (JSON for objects). */
function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return `"${text.replace(/"/g, '""')}"`;
}

/** The physical floor's write: the same rows, built before the clock starts, COPY'd into
 * copies of the tables that have only their primary keys (no other index, trigger or foreign
 * key), one COPY per table. Postgres server only (PGlite has no COPY FROM STDIN). */
async function prepareCopy(db: DB, spec: FloorSpec): Promise<() => Promise<number>> {
  if (spec.target.kind !== "postgres") throw new Error("the COPY floor needs a Postgres server");
  const pages = floorPages(spec);
  const build = await floorRowBuilder(db, spec.connectionId);
  const all: FloorRows = { organizations: [], persons: [], sync_links: [], sync_events: [] };
  await pages.each(async (raw) => {
    const rows = build(pages.read(raw));
    for (const table of Object.keys(all) as (keyof FloorRows)[]) all[table].push(...rows[table]);
  });
  await db.execute(sql.raw("drop schema if exists floor cascade; create schema floor"));
  for (const table of Object.keys(all)) {
    await db.execute(sql.raw(`create table floor.${table} (like public.${table}); alter table floor.${table} add primary key (id)`));
  }
  const csv = Object.fromEntries(
    Object.entries(all).map(([table, rows]) => {
      const columns = Object.keys(rows[0] ?? {});
      return [table, { columns, text: rows.map((r) => columns.map((c) => csvField(r[c])).join(",")).join("\n") + "\n" }];
    }),
  );
  const { default: postgres } = await import("postgres");
  // Its connection closes itself once idle, after the clock has stopped.
  const client = postgres(spec.target.url, { max: 1, idle_timeout: 1, onnotice: () => {} });
  await client`select 1`;
  return async () => {
    for (const [table, { columns, text }] of Object.entries(csv)) {
      if (columns.length === 0) continue;
      const stream = await client.unsafe(`copy floor.${table} (${columns.join(", ")}) from stdin with (format csv)`).writable();
      await new Promise<void>((resolve, reject) => {
        stream.on("error", reject);
        stream.on("finish", resolve);
        stream.end(text);
      });
    }
    return all.persons.length;
  };
}

function personRow(id: string, conn: { companyId: string; userId: string; visibility: string }, cols: ReturnType<typeof contactToPersonColumns>, now: string): Row {
  return {
    id,
    company_id: conn.companyId,
    first_name: cols.firstName,
    last_name: cols.lastName,
    emails: cols.emails,
    phones: cols.phones,
    address: cols.address,
    organization_id: cols.organizationId,
    owner_id: conn.userId,
    visibility: conn.visibility,
    custom_fields: cols.customFields,
    search_text: cols.searchText,
    version: 1,
    deleted_at: null,
    created_at: now,
    updated_at: now,
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
