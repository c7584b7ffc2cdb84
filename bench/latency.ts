// Live sync latency (#27): how long a change takes to reach the other side, per provider and
// direction, and what staying live costs in provider requests. The app's worker runs in this
// process as the app runs it (runWorker: default concurrency, poll and retries; woken by this
// process's requests); each provider's emulator in its own process (CardDAV: Radicale).
//   tsx bench/latency.ts [--provider google|microsoft|carddav] [--db pglite|postgres] [--changes 50]
//                        [--check-interval-ms 60000] [--window-s 60] [--smoke]
// 1. Tandem → provider: a linked person renamed through updatePerson, as the connection's user
//    (who is using the app: seen); the provider is polled every 100 ms (Google, Graph: the book's
//    listing; CardDAV: Radicale's own files) until it has the name. One change at a time, each its
//    own burst: the next once the connection is idle again (Graph: after the notification of our
//    own write and its run), after a pause of up to 0.5 s.
// 2. Outlook → Tandem: a contact renamed at the Graph emulator, which notifies our routes (served
//    from this process) after its default batchDelayMs (100 ms); the database is polled every
//    100 ms until the person has the name. Spaced as in 1.
// 3. Google / CardDAV → Tandem while the user is active: one connection per change (one user, seen
//    just before), each changed once at a random moment within two check intervals; the expected
//    shape is uniform(0, check interval) + a run.
// 4. Provider requests per connection per hour, counted at the provider, for 3 connections of an
//    idle user (the interval's runs only: today's 5-minute poll) and 3 of an active one (checks
//    too), with the worker's clock compressed 60× (interval 5 s, checks every 1 s, poll 83 ms)
//    for --window-s seconds (60: an hour), scaled to an hour.
// One database serves the whole run (a PGlite one takes ~10 s to migrate and seed); each phase
// has a worker of its own and pauses its connections when it ends.
// --smoke: --changes 5 --check-interval-ms 2000; a check interval other than 60 s also shortens
// the request window to 10 s (and a check is claimed when the worker polls, every 5 s, or is
// woken: a shorter interval is met at the poll's pace). Writes bench/out/latency.json, and a
// record per provider to bench/out/results.jsonl.
import fs from "node:fs";
import path from "node:path";
import { eq, inArray, sql, and, isNull, lte, or } from "drizzle-orm";
import type { DB } from "@/db/client";
import { getPersonById, updatePerson } from "@/db/queries/persons";
import { noteUserSeen } from "@/db/queries/sync/run-requests";
import { getViewer } from "@/db/queries/users";
import { persons, syncConnections, syncLinks } from "@/db/schema";
import type { ProviderId } from "@/db/vocabulary";
import { radicaleAvailable } from "@/emulators/carddav";
import { env } from "@/lib/env";
import { CHECK_INTERVAL_MS, DEFAULT_POLL_MS } from "@/lib/sync/jobs/scheduler";
import { checkedProviders } from "@/lib/sync/live/checks";
import type { AddressBook, BookContact } from "@/tests/kit/address-book";
import { until } from "@/tests/kit/until";
import { benchMain } from "./lib/cli";
import type { DbKind } from "./lib/db";
import { startEmulator, type EmulatorHandle } from "./lib/emulator";
import { connectAndSync, isIdle, newBook, openLiveDb, pauseAll, runsSince, sleep, startLiveWorker, startReceiver, type LiveDb, type LiveWorker, type Receiver } from "./lib/live";
import { latencySummary, machine, report, type Target } from "./lib/report";

const PROVIDERS: ProviderId[] = ["google", "microsoft", "carddav"];
/** How often the other side is looked at (the resolution of a sample). */
const POLL_MS = 100;
/** A person write's target, either way (Tandem → provider, Graph → Tandem). */
const FAST_TARGET_S = 5;
/** Beyond the check interval, what a check-driven change may take (70 s at the real 60 s). */
const CHECK_SLACK_S = 10;
/** The request-rate world's clock runs this much faster than the real one. */
const COMPRESSION = 60;
/** Connections per user in the request-rate world. */
const RATE_CONNECTIONS = 3;
/** Google's per-user "Critical read requests (Contact and Profile Reads)" per minute, as reported
 * (no official page; the Cloud console shows it per project; docs/live-sync-research.md): 90 in
 * most of the sources, 60 in one (180 seen for another bucket). A check is one connections.list,
 * a critical read. */
const GOOGLE_READS_PER_MINUTE = { reported: 90, low: 60 };
/** Graph's contact subscriptions last at most 7 days and are renewed with 3 days left: one PATCH
 * every ~4 days, ~0.01 an hour (not counted in the window). */
const RENEWALS_PER_HOUR = 1 / 96;

type Options = { db: DbKind; pgUrl: string | undefined; changes: number; checkIntervalMs: number; windowS: number; intervalMs: number };
type Summary = ReturnType<typeof latencySummary>;
type Runs = Awaited<ReturnType<typeof runsSince>>;
type Direction = { samples: number[]; summary: Summary; runs: Runs; missing: number; targetS: number; how: string };
type Rate = { perHour: number; runsPerHour: number; claimsPerHour: number; byEndpointPerHour: Record<string, number> };
type ProviderResult = {
  provider: ProviderId;
  toProvider: Direction;
  fromProvider: Direction;
  requests: { idle: Rate; active: Rate; equivalentHours: number };
  problems: string[];
};

const TAG = Date.now().toString(36);

/** n contacts of a book, named and addressed after it (so no two books' contacts match). */
const people = (n: number, prefix: string): BookContact[] =>
  Array.from({ length: n }, (_, i) => ({ given: `${prefix}${i}`, family: `Fam${prefix}`, email: `${prefix.toLowerCase()}.${i}@latency.example` }));

/** The run's database and our notification routes; each phase runs its own worker against one
 * provider, and pauses what it connected before the next phase starts. */
type World = LiveDb & { receiver: Receiver };

type Clock = { intervalMs: number; checkIntervalMs: number; pollMs?: number };

/** A phase's surroundings; `tag` makes its names and addresses unique in the shared database
 * (another provider's persons stay there, paused: a shared e-mail would match them). */
type Ctx = { world: World; emu: EmulatorHandle; o: Options; tag: string };

async function withWorker<T>(world: World, emu: EmulatorHandle, clock: Clock, problems: string[], fn: (worker: LiveWorker) => Promise<T>): Promise<T> {
  const worker = startLiveWorker({ db: world.db, emu, receiver: world.receiver, ...clock });
  try {
    return await fn(worker);
  } finally {
    await worker.stop();
    problems.push(...worker.problems);
    await pauseAll(world.db, emu);
  }
}

/** Whether the provider has a contact of that first name: Radicale's files, or the book's listing. */
function providerHas(emu: EmulatorHandle, book: AddressBook): (name: string) => Promise<boolean> {
  if (emu.dav) {
    const folder = path.join(emu.dav.storageDir, "collection-root", ...book.groupId.split("/").filter(Boolean).map(decodeURIComponent));
    return async (name) => {
      for (const file of await fs.promises.readdir(folder)) {
        if (file.endsWith(".vcf") && (await fs.promises.readFile(path.join(folder, file), "utf8")).includes(name)) return true;
      }
      return false;
    };
  }
  return async (name) => [...(await book.list()).values()].some((c) => c.given === name);
}

async function personNamed(db: DB, names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const rows = await db.select({ firstName: persons.firstName }).from(persons).where(inArray(persons.firstName, names));
  return rows.map((r) => r.firstName);
}

function direction(samples: number[], runs: Runs, missing: number, targetS: number, how: string): Direction {
  return { samples: samples.map((ms) => Math.round(ms)), summary: latencySummary(samples.map((ms) => ms / 1000)), runs, missing, targetS, how };
}

/** Each change its own burst: what the last one started (Graph: the notification of our own
 * write, ~100 ms later, and its run) is over, then a pause of up to half a second. */
async function settle(db: DB, connectionId: string): Promise<void> {
  await sleep(300);
  await until(() => isIdle(db, connectionId), { timeoutMs: 120_000, everyMs: POLL_MS });
  await sleep(Math.random() * 500);
}

function progress(what: string, i: number, n: number, ms: number): void {
  if (n <= 10 || (i + 1) % 10 === 0 || i + 1 === n) console.log(`  ${what} ${i + 1}/${n}: ${(ms / 1000).toFixed(2)} s`);
}

/** 1. Renamed in Tandem, until the provider has it. */
async function towardProvider({ world, emu, o, tag }: Ctx): Promise<Direction> {
  const { book } = await newBook(emu, `latency-out-${tag}@example.com`, people(10, `Out${tag}n`));
  const [connectionId] = await connectAndSync(world, [book], "east", { subscribed: emu.provider === "microsoft" });
  const east = world.demo.users.east;
  await noteUserSeen(world.db, east, checkedProviders());
  const viewer = (await getViewer(world.db, east))!;
  const links = await world.db.select({ personId: syncLinks.personId }).from(syncLinks).where(eq(syncLinks.connectionId, connectionId!));
  const has = providerHas(emu, book);
  const since = new Date();
  const samples: number[] = [];
  for (let i = 0; i < o.changes; i++) {
    const personId = links[i % links.length]!.personId;
    const name = `Out${i}x${tag}`;
    const p = (await getPersonById(world.db, viewer, personId))!;
    const t0 = performance.now();
    await updatePerson(world.db, viewer, personId, { ...p, firstName: name, organizationId: p.organizationId, ownerId: p.ownerId }, p.version);
    await until(() => has(name), { timeoutMs: 120_000, everyMs: POLL_MS, what: `${name} at ${emu.provider}` });
    samples.push(performance.now() - t0);
    progress(`Tandem → ${emu.provider}`, i, o.changes, samples.at(-1)!);
    await settle(world.db, connectionId!);
  }
  return direction(samples, await runsSince(world.db, [connectionId!], since), 0, FAST_TARGET_S, "updatePerson → the provider has it");
}

/** 2. Renamed in Outlook (the Graph emulator), until Tandem has it. */
async function fromOutlook({ world, emu, o, tag }: Ctx): Promise<Direction> {
  const { book, ids } = await newBook(emu, `latency-in-${tag}@example.com`, people(10, `In${tag}n`));
  const [connectionId] = await connectAndSync(world, [book], "east", { subscribed: true });
  const since = new Date();
  const samples: number[] = [];
  for (let i = 0; i < o.changes; i++) {
    const name = `In${i}x${tag}`;
    const t0 = performance.now();
    await book.update(ids[i % ids.length]!, { given: name });
    await until(async () => (await personNamed(world.db, [name])).length > 0, { timeoutMs: 120_000, everyMs: POLL_MS, what: `${name} in Tandem` });
    samples.push(performance.now() - t0);
    progress("Outlook → Tandem", i, o.changes, samples.at(-1)!);
    await settle(world.db, connectionId!);
  }
  return direction(samples, await runsSince(world.db, [connectionId!], since), 0, FAST_TARGET_S, "a change notification (emulator default batchDelayMs 100 ms) → a run");
}

/** The first round of checks (all at once: the user was just seen) is over. */
async function firstChecks(db: DB, connectionIds: string[]): Promise<void> {
  const c = syncConnections;
  await until(
    async () => {
      const unchecked = await db
        .select({ id: c.id })
        .from(c)
        .where(and(inArray(c.id, connectionIds), or(isNull(c.nextCheckAt), lte(c.nextCheckAt, sql`now()`), sql`${c.leaseOwner} is not null`)));
      return unchecked.length === 0;
    },
    { timeoutMs: 120_000, everyMs: POLL_MS, what: "the first round of checks" },
  );
}

/** 3. One change in each of `changes` books of an active user, at random moments. */
async function fromChecked({ world, emu, o, tag }: Ctx): Promise<Direction> {
  const made: { book: AddressBook; ids: string[] }[] = [];
  for (let i = 0; i < o.changes; i++) made.push(await newBook(emu, `latency-chk${i}-${tag}@example.com`, people(2, `Chk${i}${tag}n`)));
  const connectionIds = await connectAndSync(
    world,
    made.map((m) => m.book),
    "west",
    { subscribed: false },
  );
  await noteUserSeen(world.db, world.demo.users.west, checkedProviders());
  await firstChecks(world.db, connectionIds);
  const spreadMs = 2 * o.checkIntervalMs;
  const since = new Date();
  const started = performance.now();
  const pending = new Map<string, number>();
  const errors: string[] = [];
  const samples: number[] = [];
  const changes = made.map((m, i) =>
    sleep(Math.random() * spreadMs).then(async () => {
      const name = `Chk${i}x${tag}`;
      pending.set(name, performance.now());
      await m.book.update(m.ids[0]!, { given: name }).catch((error: unknown) => {
        pending.delete(name);
        errors.push(String(error));
      });
    }),
  );
  console.log(`  ${o.changes} changes over ${spreadMs / 1000} s, checks every ${o.checkIntervalMs / 1000} s…`);
  const deadline = started + spreadMs + 2 * o.checkIntervalMs + 60_000;
  while (samples.length + errors.length < o.changes && performance.now() < deadline) {
    await sleep(POLL_MS);
    const seen = await personNamed(world.db, [...pending.keys()]);
    const now = performance.now();
    for (const name of seen) {
      samples.push(now - pending.get(name)!);
      pending.delete(name);
    }
  }
  await Promise.all(changes);
  if (errors.length > 0) console.warn(`  ${errors.length} changes failed at the provider: ${errors[0]}`);
  const sorted = [...samples].sort((a, b) => a - b);
  console.log(`  arrived ${samples.length}/${o.changes}: p50 ${(sorted[Math.floor(sorted.length / 2)]! / 1000).toFixed(1)} s, max ${(sorted.at(-1)! / 1000).toFixed(1)} s`);
  const missing = o.changes - samples.length;
  return direction(samples, await runsSince(world.db, connectionIds, since), missing, o.checkIntervalMs / 1000 + CHECK_SLACK_S, `checks every ${o.checkIntervalMs / 1000} s while the user is active → a run`);
}

/** 4. Requests per connection per hour, idle and active, on a compressed clock. */
async function requestRates({ world, emu, o, tag }: Ctx, worker: LiveWorker): Promise<ProviderResult["requests"]> {
  const groups = { idle: "manager", active: "admin" } as const;
  const made: Record<keyof typeof groups, { books: AddressBook[]; ids: string[] }> = { idle: { books: [], ids: [] }, active: { books: [], ids: [] } };
  for (const [group, user] of Object.entries(groups) as [keyof typeof groups, (typeof groups)[keyof typeof groups]][]) {
    for (let k = 0; k < RATE_CONNECTIONS; k++) made[group].books.push((await newBook(emu, `latency-${group}${k}-${tag}@example.com`, people(2, `Rate${group}${k}${tag}n`))).book);
    made[group].ids = await connectAndSync(world, made[group].books, user, { subscribed: emu.provider === "microsoft" });
  }
  await noteUserSeen(world.db, world.demo.users.admin, checkedProviders());
  if (checkedProviders().includes(emu.provider)) await firstChecks(world.db, made.active.ids);
  for (const b of [...made.idle.books, ...made.active.books]) await emu.resetStats(b.email);
  const claimsBefore = new Map(worker.claims);
  const since = new Date();
  console.log(`  requests: ${RATE_CONNECTIONS} idle and ${RATE_CONNECTIONS} active connections for ${o.windowS} s at ${COMPRESSION}× (${((o.windowS * COMPRESSION) / 60).toFixed(0)} minutes)…`);
  await sleep(o.windowS * 1000);
  const equivalentHours = (o.windowS * COMPRESSION) / 3600;
  const perHour = (n: number) => Math.round((n / RATE_CONNECTIONS / equivalentHours) * 10) / 10;
  const rate = async (group: keyof typeof groups): Promise<Rate> => {
    const byEndpoint: Record<string, number> = {};
    let total = 0;
    for (const b of made[group].books) {
      const s = await emu.stats(b.email);
      total += s.total;
      for (const [k, v] of Object.entries(s.byEndpoint)) byEndpoint[k] = (byEndpoint[k] ?? 0) + v;
    }
    const runs = await runsSince(world.db, made[group].ids, since);
    const claims = made[group].ids.reduce((n, id) => n + (worker.claims.get(id) ?? 0) - (claimsBefore.get(id) ?? 0), 0);
    return {
      perHour: perHour(total),
      runsPerHour: perHour(runs.runs),
      claimsPerHour: perHour(claims),
      byEndpointPerHour: Object.fromEntries(Object.entries(byEndpoint).map(([k, v]) => [k, perHour(v)])),
    };
  };
  return { idle: await rate("idle"), active: await rate("active"), equivalentHours };
}

async function measureProvider(world: World, provider: ProviderId, o: Options): Promise<ProviderResult> {
  const emu = await startEmulator(provider);
  const problems: string[] = [];
  try {
    const ctx: Ctx = { world, emu, o, tag: `${TAG}${provider.slice(0, 1)}` };
    const [toProvider, fromProvider] = await withWorker(world, emu, { intervalMs: o.intervalMs, checkIntervalMs: o.checkIntervalMs }, problems, async () => [
      await towardProvider(ctx),
      provider === "microsoft" ? await fromOutlook(ctx) : await fromChecked(ctx),
    ]);
    const compressed: Clock = { intervalMs: o.intervalMs / COMPRESSION, checkIntervalMs: CHECK_INTERVAL_MS / COMPRESSION, pollMs: Math.round(DEFAULT_POLL_MS / COMPRESSION) };
    const requests = await withWorker(world, emu, compressed, problems, (worker) => requestRates(ctx, worker));
    return { provider, toProvider: toProvider!, fromProvider: fromProvider!, requests, problems };
  } finally {
    await emu.close();
  }
}

const s1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : "–");

function printTables(results: ProviderResult[], o: Options): void {
  console.log(`\nLatency (s), ${o.changes} changes each; polled every ${POLL_MS} ms`);
  console.log("| provider | direction | how | n | p50 | p95 | max | target p95 | met |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const r of results) {
    for (const [dir, d] of [
      [`Tandem → ${r.provider}`, r.toProvider],
      [r.provider === "microsoft" ? "Outlook → Tandem" : `${r.provider} → Tandem (active)`, r.fromProvider],
    ] as const) {
      const met = d.missing === 0 && d.summary.p95 <= d.targetS;
      console.log(`| ${r.provider} | ${dir} | ${d.how} | ${d.summary.n}${d.missing ? ` (${d.missing} missing)` : ""} | ${s1(d.summary.p50)} | ${s1(d.summary.p95)} | ${s1(d.summary.max)} | ≤ ${d.targetS} | ${met ? "yes" : "NO"} |`);
    }
  }
  if (o.checkIntervalMs !== CHECK_INTERVAL_MS) {
    console.log(`(check interval ${o.checkIntervalMs / 1000} s, not the real ${CHECK_INTERVAL_MS / 1000} s: a smoke run; a check waits for the worker's poll, every ${DEFAULT_POLL_MS / 1000} s)`);
  }
  const hours = results[0]?.requests.equivalentHours ?? 0;
  console.log(
    `\nProvider requests per connection per hour (counted at the provider; ${RATE_CONNECTIONS} connections each, ${o.windowS} s at ${COMPRESSION}× = ${(hours * 60).toFixed(0)} min, scaled to 1 h; interval ${o.intervalMs / 60_000} min, checks every ${CHECK_INTERVAL_MS / 1000} s)`,
  );
  console.log("| provider | today's 5-min poll (= idle) | active | active ÷ today | runs/h idle, active | claims/h active | active, by endpoint | Google per-user read quota |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const r of results) {
    const { idle, active } = r.requests;
    const ratio = idle.perHour > 0 ? `${(active.perHour / idle.perHour).toFixed(1)}×` : "–";
    const endpoints = Object.entries(active.byEndpointPerHour)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
    const quota =
      r.provider === "google"
        ? `${(active.perHour / 60).toFixed(2)}/min = ${((active.perHour / 60 / GOOGLE_READS_PER_MINUTE.reported) * 100).toFixed(1)} % of ${GOOGLE_READS_PER_MINUTE.reported}/min (${((active.perHour / 60 / GOOGLE_READS_PER_MINUTE.low) * 100).toFixed(1)} % of ${GOOGLE_READS_PER_MINUTE.low})`
        : "";
    const idleNote = r.provider === "microsoft" ? ` (+${RENEWALS_PER_HOUR.toFixed(2)} renewals)` : "";
    console.log(`| ${r.provider} | ${idle.perHour}${idleNote} | ${active.perHour} | ${ratio} | ${idle.runsPerHour}, ${active.runsPerHour} | ${active.claimsPerHour} | ${endpoints} | ${quota} |`);
  }
}

benchMain(
  "latency",
  async ({ db, pgUrl, values, smoke }) => {
    const checkIntervalMs = Number(values["check-interval-ms"] ?? (smoke ? 2_000 : CHECK_INTERVAL_MS));
    const o: Options = {
      db,
      pgUrl,
      changes: Number(values.changes ?? (smoke ? 5 : 50)),
      checkIntervalMs,
      windowS: Number(values["window-s"] ?? (checkIntervalMs === CHECK_INTERVAL_MS ? 60 : 10)),
      intervalMs: env().SYNC_INTERVAL_MINUTES * 60_000,
    };
    const asked = values.provider;
    if (asked !== undefined && !PROVIDERS.includes(asked as ProviderId)) throw new Error(`--provider: ${PROVIDERS.join(", ")}, not ${String(asked)}`);
    const results: ProviderResult[] = [];
    const started = performance.now();
    const live = await openLiveDb(o.db, o.pgUrl);
    const world: World = { ...live, receiver: await startReceiver(() => live.db) };
    try {
      for (const provider of asked ? [asked as ProviderId] : PROVIDERS) {
        if (provider === "carddav" && !radicaleAvailable()) {
          console.log(`== carddav: skipped (radicale not installed)`);
          continue;
        }
        console.log(`== ${provider} (${Math.round((performance.now() - started) / 1000)} s)`);
        results.push(await measureProvider(world, provider, o));
      }
    } finally {
      await world.receiver.close();
      await live.close();
    }
    printTables(results, o);
    for (const r of results) if (r.problems.length > 0) console.warn(`\n${r.provider}: the worker logged ${r.problems.length} problems, e.g.\n  ${r.problems.slice(0, 5).join("\n  ")}`);
    const wallS = Math.round((performance.now() - started) / 1000);
    console.log(`\n(${wallS} s)`);
    const options = { changes: o.changes, checkIntervalMs: o.checkIntervalMs, windowS: o.windowS, intervalMs: o.intervalMs, compression: COMPRESSION, pollMs: POLL_MS };
    const out = path.join("bench", "out");
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, "latency.json"), `${JSON.stringify({ bench: "latency", db, ...machine(), options, wallS, results }, null, 2)}\n`);
    let met = true;
    for (const r of results) {
      const targets: Target[] = [
        { name: `Tandem → ${r.provider} p95`, value: r.toProvider.summary.p95, limit: r.toProvider.targetS, unit: " s" },
        { name: `${r.provider === "microsoft" ? "Outlook" : r.provider} → Tandem p95`, value: r.fromProvider.summary.p95, limit: r.fromProvider.targetS, unit: " s" },
        { name: "changes that never arrived", value: r.toProvider.missing + r.fromProvider.missing, limit: 0 },
      ];
      const line =
        `to ${r.provider} p50 ${s1(r.toProvider.summary.p50)} s; from ${r.provider} p50 ${s1(r.fromProvider.summary.p50)} s; ` +
        `requests/connection/h idle ${r.requests.idle.perHour}, active ${r.requests.active.perHour}`;
      met = report(`latency-${r.provider}`, db, line, targets, { options, ...r, problems: r.problems.length }) && met;
    }
    return met;
  },
  {
    db: { type: "string", default: "pglite" },
    provider: { type: "string" },
    changes: { type: "string" },
    "check-interval-ms": { type: "string" },
    "window-s": { type: "string" },
  },
);
