// The connection's state machine, walked whole: every status × every event, against the rules
// written out again here as a table of what may happen — applied on a real database too, where a
// refused event writes nothing at all.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabases } from "@/tests/kit/databases";
import type { DbHandle } from "../../client";
import { CONNECTION_STATUSES, companies, syncConnections, users, type ConnectionStatus } from "../../schema";
import { CONNECTION_EVENTS, isRunnable, lastErrorAfter, nextStatus, statusAfter, transition, type ConnectionEvent } from "./connection-status";

const RUNNABLE = ["active", "error"] as const;
/** event → the statuses it may happen in → the status it leads to. */
const RULES: Record<ConnectionEvent, [readonly ConnectionStatus[], ConnectionStatus]> = {
  runSucceeded: [RUNNABLE, "active"],
  runFailed: [RUNNABLE, "error"],
  deletionsHeld: [RUNNABLE, "needs_confirmation"],
  deletionsAnswered: [["needs_confirmation"], "active"],
  grantRevoked: [CONNECTION_STATUSES, "reconnect_needed"],
  writeAccessNeeded: [CONNECTION_STATUSES, "reconnect_needed"],
  reconnected: [["reconnect_needed", "active", "error"], "active"],
  firstSyncPrepared: [CONNECTION_STATUSES, "preview"],
  firstSyncStarted: [["preview"], "active"],
  previewLeft: [["preview"], "active"],
  paused: [RUNNABLE, "paused"],
  resumed: [["paused"], "active"],
  accessLost: [RUNNABLE, "paused"],
};
const EVENTS = Object.keys(CONNECTION_EVENTS) as ConnectionEvent[];
const CASES = CONNECTION_STATUSES.flatMap((from) => EVENTS.map((event) => [from, event] as const));
const expected = (from: ConnectionStatus, event: ConnectionEvent) => (RULES[event][0].includes(from) ? RULES[event][1] : null);

describe("connection status", () => {
  it("has a rule for every event, and no other", () => {
    expect(EVENTS.sort()).toEqual(Object.keys(RULES).sort());
  });

  it.each(CASES)("from %s, %s", (from, event) => {
    expect(nextStatus(from, event)).toBe(expected(from, event));
  });

  it("runs only active and failed connections", () => {
    expect(CONNECTION_STATUSES.filter(isRunnable)).toEqual(["active", "error"]);
  });
});

describe.each(testDatabases())("connection status on $name", ({ open }) => {
  let handle: DbHandle;
  let id: string;
  beforeAll(async () => {
    handle = await open();
    const [company] = await handle.db.insert(companies).values({ name: "Acme" }).returning();
    const [user] = await handle.db.insert(users).values({ companyId: company!.id, name: "Ann", email: "ann@acme.test", passwordHash: "x" }).returning();
    const [conn] = await handle.db
      .insert(syncConnections)
      .values({ companyId: company!.id, userId: user!.id, provider: "google", accountEmail: "ann@gmail.test" })
      .returning();
    id = conn!.id;
  });
  afterAll(async () => {
    await handle?.close();
  });
  const read = async () => (await handle.db.select().from(syncConnections).where(eq(syncConnections.id, id)))[0]!;
  const put = (status: ConnectionStatus) => handle.db.update(syncConnections).set({ status, lastError: "before", groupName: "before" }).where(eq(syncConnections.id, id));

  it("applies exactly the allowed transitions, with what goes with them; a refused one writes nothing", async () => {
    for (const [from, event] of CASES) {
      await put(from);
      const applied = await transition(handle.db, id, event, { lastError: `after ${event}`, groupName: "after" });
      const after = await read();
      const to = expected(from, event);
      expect({ from, event, applied, status: after.status, lastError: after.lastError, groupName: after.groupName }).toEqual({
        from,
        event,
        applied: to !== null,
        status: to ?? from,
        lastError: to ? `after ${event}` : "before",
        groupName: to ? "after" : "before",
      });
    }
  });

  it("statusAfter and lastErrorAfter: the event's status and error where it may happen, the row's own elsewhere", async () => {
    for (const [from, event] of CASES) {
      await put(from);
      await handle.db.update(syncConnections).set({ status: statusAfter(event), lastError: lastErrorAfter(event, null), groupName: "written" }).where(eq(syncConnections.id, id));
      const after = await read();
      const to = expected(from, event);
      expect({ from, event, status: after.status, lastError: after.lastError, groupName: after.groupName }).toEqual({
        from,
        event,
        status: to ?? from,
        lastError: to ? null : "before",
        groupName: "written",
      });
    }
  });
});
