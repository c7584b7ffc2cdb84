import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client, GraphError } from "@microsoft/microsoft-graph-client";
import { advanceClock, expireSyncTokens, setConfig } from "../shared/admin-client";
import { newGraphAccount, rejection } from "../test-helpers";
import { startMicrosoftEmulator, type MicrosoftEmulator } from "./server";

let emu: MicrosoftEmulator;
beforeAll(async () => {
  emu = await startMicrosoftEmulator();
});
afterAll(async () => {
  await emu.close();
});

interface DeltaItem {
  id: string;
  displayName?: string;
  "@removed"?: { reason: string };
  [key: string]: unknown;
}

interface Round {
  items: DeltaItem[];
  pages: number;
  deltaLink: string;
}

/** Follows nextLinks verbatim until a deltaLink, resending Prefer on every page as the docs' samples do. */
async function deltaRound(client: Client, startUrl: string, pageSize?: number, select?: string): Promise<Round> {
  const items: DeltaItem[] = [];
  let pages = 0;
  let request = client.api(startUrl);
  if (select) request = request.select(select);
  for (;;) {
    if (pageSize) request = request.header("Prefer", `odata.maxpagesize=${pageSize}`);
    const page = await request.get();
    pages += 1;
    items.push(...(page.value as DeltaItem[]));
    if (page["@odata.deltaLink"]) return { items, pages, deltaLink: page["@odata.deltaLink"] as string };
    expect(page["@odata.nextLink"]).toMatch(/\$skiptoken=/);
    request = client.api(page["@odata.nextLink"] as string);
  }
}

async function folderWith(client: Client, n: number): Promise<{ folderId: string; ids: string[] }> {
  const folder = await client.api("/me/contactFolders").post({ displayName: `F${Math.random()}` });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await client.api(`/me/contactFolders/${folder.id}/contacts`).post({ givenName: `C${i}` })).id);
  return { folderId: folder.id, ids };
}

describe("contacts delta", () => {
  it("pages an initial round with odata.maxpagesize and ends with a deltaLink", async () => {
    const { client } = await newGraphAccount(emu);
    const { folderId, ids } = await folderWith(client, 25);
    const round = await deltaRound(client, `/me/contactFolders/${folderId}/contacts/delta`, 10);
    expect(round.pages).toBe(3);
    expect(round.items.map((i) => i.id).sort()).toEqual([...ids].sort());
    expect(round.deltaLink).toMatch(new RegExp(`^https://localhost:${emu.port}/v1\\.0/me/contactFolders\\('${folderId}'\\)/contacts/delta\\?\\$deltatoken=`));
    const next = await client.api(round.deltaLink).get();
    expect(next.value).toEqual([]);
    expect(next["@odata.deltaLink"]).toBeTruthy();
  });

  it("uses a default page size of 10 without Prefer, and reports Preference-Applied when given", async () => {
    const { client } = await newGraphAccount(emu);
    const { folderId } = await folderWith(client, 12);
    const page = await client.api(`/me/contactFolders/${folderId}/contacts/delta`).get();
    expect(page.value).toHaveLength(10);
    const raw = await client.api(`/me/contactFolders/${folderId}/contacts/delta`).header("Prefer", "odata.maxpagesize=5").responseType("raw" as never).get();
    expect((raw as Response).headers.get("preference-applied")).toBe("odata.maxpagesize=5");
  });

  it("reports creations, updates and deletions (as @removed) in the next round, only for that folder", async () => {
    const { client } = await newGraphAccount(emu);
    const { folderId, ids } = await folderWith(client, 3);
    const other = await folderWith(client, 1);
    const initial = await deltaRound(client, `/me/contactFolders/${folderId}/contacts/delta`);
    await client.api(`/me/contacts/${ids[0] ?? ""}`).patch({ givenName: "Updated" });
    await client.api(`/me/contacts/${ids[1] ?? ""}`).delete();
    const added = await client.api(`/me/contactFolders/${folderId}/contacts`).post({ givenName: "Added" });
    await client.api(`/me/contacts/${other.ids[0] ?? ""}`).patch({ givenName: "Elsewhere" });
    const round = await deltaRound(client, initial.deltaLink);
    const byId = new Map(round.items.map((i) => [i.id, i]));
    expect(byId.size).toBe(3);
    expect(byId.get(ids[0] ?? "")?.displayName).toBe("Updated");
    expect(byId.get(ids[1] ?? "")).toEqual({ "@odata.type": "#microsoft.graph.contact", id: ids[1], "@removed": { reason: "deleted" } });
    expect(byId.get(added.id)?.displayName).toBe("Added");
    const quiet = await deltaRound(client, round.deltaLink);
    expect(quiet.items).toEqual([]);
  });

  it("keeps the $select of the first call in the links", async () => {
    const { client } = await newGraphAccount(emu);
    const { folderId, ids } = await folderWith(client, 4);
    const initial = await deltaRound(client, `/me/contactFolders/${folderId}/contacts/delta`, 2, "displayName");
    expect(Object.keys(initial.items[3] ?? {}).sort()).toEqual(["@odata.etag", "@odata.type", "displayName", "id"]);
    await client.api(`/me/contacts/${ids[2] ?? ""}`).patch({ jobTitle: "CTO" });
    const round = await deltaRound(client, initial.deltaLink);
    expect(Object.keys(round.items[0] ?? {}).sort()).toEqual(["@odata.etag", "@odata.type", "displayName", "id"]);
  });

  it("reports deleted contacts as @removed, and answers 404 once the folder itself is deleted", async () => {
    const { client } = await newGraphAccount(emu);
    const { folderId, ids } = await folderWith(client, 2);
    const initial = await deltaRound(client, `/me/contactFolders/${folderId}/contacts/delta`);
    for (const id of ids) await client.api(`/me/contacts/${id}`).delete();
    const round = await deltaRound(client, initial.deltaLink);
    expect(round.items).toHaveLength(2);
    expect(round.items.every((i) => i["@removed"]?.reason === "deleted")).toBe(true);
    await client.api(`/me/contactFolders/${folderId}`).delete();
    const gone = (await rejection(client.api(round.deltaLink).get())) as GraphError;
    expect(gone.statusCode).toBe(404);
  });

  it("serves /me/contacts/delta for the default folder", async () => {
    const { client } = await newGraphAccount(emu);
    await client.api("/me/contacts").post({ givenName: "Default" });
    const round = await deltaRound(client, "/me/contacts/delta");
    expect(round.items.map((i) => i.displayName)).toEqual(["Default"]);
  });

  it("answers 410 SyncStateNotFound for delta and skip links after tokens are expired", async () => {
    const { client } = await newGraphAccount(emu);
    const { folderId } = await folderWith(client, 5);
    const first = await client.api(`/me/contactFolders/${folderId}/contacts/delta`).header("Prefer", "odata.maxpagesize=2").get();
    const initial = await deltaRound(client, `/me/contactFolders/${folderId}/contacts/delta`);
    await expireSyncTokens(emu.url);
    for (const link of [initial.deltaLink, first["@odata.nextLink"] as string]) {
      const error = (await rejection(client.api(link).get())) as GraphError;
      expect(error.statusCode).toBe(410);
      expect(error.code).toBe("SyncStateNotFound");
    }
    const fresh = await deltaRound(client, `/me/contactFolders/${folderId}/contacts/delta`);
    expect(fresh.items).toHaveLength(5);
  });

  it("expires delta tokens by age when configured", async () => {
    const { client } = await newGraphAccount(emu);
    const { folderId } = await folderWith(client, 1);
    await setConfig(emu.url, { deltaTokenMaxAgeMs: 60_000 });
    try {
      const initial = await deltaRound(client, `/me/contactFolders/${folderId}/contacts/delta`);
      await advanceClock(emu.url, 61_000);
      expect(((await rejection(client.api(initial.deltaLink).get())) as GraphError).statusCode).toBe(410);
    } finally {
      await setConfig(emu.url, { deltaTokenMaxAgeMs: null });
    }
  });

  it("can replay the last item of each page, which clients must tolerate", async () => {
    const { client } = await newGraphAccount(emu);
    const { folderId, ids } = await folderWith(client, 6);
    await setConfig(emu.url, { deltaReplay: true });
    try {
      const round = await deltaRound(client, `/me/contactFolders/${folderId}/contacts/delta`, 3);
      expect(round.items.length).toBeGreaterThan(6);
      expect(new Set(round.items.map((i) => i.id))).toEqual(new Set(ids));
    } finally {
      await setConfig(emu.url, { deltaReplay: false });
    }
  });
});
