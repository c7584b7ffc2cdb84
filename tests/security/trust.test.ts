// The trust boundary, attack by attack, against the real query layer and adapters: who may hand a
// person to someone else, who may change an organization, and what a provider's photo may be.
import http from "node:http";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/db/client";
import { createOrganization, updateOrganization } from "@/db/queries/organizations";
import { addMissingPictures, asConnection } from "@/db/queries/person-writes";
import { createPerson, getPersonById, updatePerson } from "@/db/queries/persons";
import { getViewer } from "@/db/queries/users";
import type { Viewer } from "@/db/queries/visibility";
import { personPictures, users } from "@/db/schema";
import type { SeededDemo } from "@/db/seed";
import { ForbiddenError } from "@/lib/errors";
import { SYNCED_PICTURE_MAX_BYTES } from "@/lib/persons/picture";
import { createGoogleAdapter, isPhotoUrlAllowed } from "@/lib/sync/providers/google/adapter";
import { PNG } from "@/tests/kit/address-book";
import { openSeeded } from "@/tests/kit/connect";
import { testDatabases } from "@/tests/kit/databases";
import { personInput } from "@/tests/kit/persons";

const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"/>');

describe.each(testDatabases())("owners, organizations and synced pictures on $name", ({ open }) => {
  let handle: DbHandle;
  let demo: SeededDemo;
  const v = {} as Record<"east" | "west" | "admin" | "support", Viewer>;

  beforeAll(async () => {
    ({ handle, demo } = await openSeeded(open));
    for (const k of ["east", "west", "admin", "support"] as const) v[k] = (await getViewer(handle.db, demo.users[k]))!;
  });
  afterAll(async () => {
    await handle?.close();
  });

  it("only the owner or a global admin hands a person to someone else, and only to an active user", async () => {
    const id = await createPerson(handle.db, v.east, personInput({ lastName: "Owned", visibility: "company" }));
    const p = (await getPersonById(handle.db, v.west, id))!;
    const asWest = { ...personInput({ lastName: "Owned", visibility: "company" }), ownerId: v.west.id };
    // West may see and edit it (entire company), but not make it theirs.
    await expect(updatePerson(handle.db, v.west, id, asWest, p.version)).rejects.toBeInstanceOf(ForbiddenError);
    expect((await getPersonById(handle.db, v.east, id))!.ownerId).toBe(v.east.id);
    // The owner may not hand it to a deactivated user.
    const [leaver] = await handle.db.insert(users).values({ companyId: demo.companyId, name: "Leaver", email: "leaver@trust.test", passwordHash: "x", active: false }).returning();
    await expect(updatePerson(handle.db, v.east, id, { ...asWest, ownerId: leaver!.id }, p.version)).rejects.toThrow(/active user/);
    // The owner and an admin may.
    await updatePerson(handle.db, v.east, id, asWest, p.version);
    expect((await getPersonById(handle.db, v.west, id))!.ownerId).toBe(v.west.id);
    await updatePerson(handle.db, v.admin, id, { ...asWest, ownerId: v.east.id });
    expect((await getPersonById(handle.db, v.east, id))!.ownerId).toBe(v.east.id);
  });

  it("an organization is changed only by its owner, an admin or a user who may add organizations", async () => {
    const org = await createOrganization(handle.db, v.east, { name: "Guarded Ltd", address: null });
    await handle.db.update(users).set({ canAddOrganizations: false }).where(eq(users.id, v.support.id));
    const support = (await getViewer(handle.db, v.support.id))!;
    await expect(updateOrganization(handle.db, support, org, { name: "Taken Over", address: null })).rejects.toBeInstanceOf(ForbiddenError);
    await updateOrganization(handle.db, v.west, org, { name: "Renamed Ltd", address: null });
    await updateOrganization(handle.db, v.east, org, { name: "Guarded Ltd", address: "1 Main St" });
  });

  it("a synced photo is stored only when its bytes are a PNG, JPEG, GIF or WebP of at most 5 MB", async () => {
    const ids = await Promise.all(["Svg", "Html", "Huge", "Png"].map((n) => createPerson(handle.db, v.east, personInput({ lastName: n, visibility: "owner" }))));
    const actor = asConnection("00000000-0000-4000-8000-0000000000aa", v.east);
    const hugePng = Buffer.concat([PNG, Buffer.alloc(SYNCED_PICTURE_MAX_BYTES)]);
    const added = await addMissingPictures(handle.db, actor, [
      { personId: ids[0]!, contentType: "image/png", data: SVG },
      { personId: ids[1]!, contentType: "image/jpeg", data: Buffer.from("<html><script>alert(1)</script></html>") },
      { personId: ids[2]!, contentType: "image/png", data: hugePng },
      { personId: ids[3]!, contentType: "image/svg+xml", data: PNG },
    ]);
    expect(added).toBe(1);
    const stored = await handle.db.select().from(personPictures).where(eq(personPictures.personId, ids[3]!));
    expect(stored.map((p) => p.contentType)).toEqual(["image/png"]);
    for (const id of ids.slice(0, 3)) expect(await handle.db.select().from(personPictures).where(eq(personPictures.personId, id))).toEqual([]);
    // Nor for a person its user may not see.
    const hidden = await createPerson(handle.db, v.west, personInput({ lastName: "WestOnly", visibility: "owner" }));
    expect(await addMissingPictures(handle.db, actor, [{ personId: hidden, contentType: "image/png", data: PNG }])).toBe(0);
  });
});

describe("fetching a Google contact's photo", () => {
  let server: http.Server;
  let hits: string[];
  let origin: string;

  beforeAll(async () => {
    hits = [];
    server = http.createServer((req, res) => {
      hits.push(req.url ?? "");
      if (req.url === "/redirect") return res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" }).end();
      if (req.url === "/huge") {
        res.writeHead(200, { "content-type": "image/png" });
        res.end(Buffer.concat([PNG, Buffer.alloc(SYNCED_PICTURE_MAX_BYTES + 1)]));
        return;
      }
      res.writeHead(200, { "content-type": "image/png" }).end(PNG);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("asks only Google's photo hosts (or the API's own origin), with no redirect followed and a size cap", async () => {
    expect(isPhotoUrlAllowed("https://lh3.googleusercontent.com/contacts/abc=s100", "https://people.googleapis.com")).toBe(true);
    expect(isPhotoUrlAllowed("http://lh3.googleusercontent.com/contacts/abc", "https://people.googleapis.com")).toBe(false);
    expect(isPhotoUrlAllowed("https://googleusercontent.com.evil.example/x", "https://people.googleapis.com")).toBe(false);
    expect(isPhotoUrlAllowed("http://127.0.0.1:9/", "https://people.googleapis.com")).toBe(false);
    expect(isPhotoUrlAllowed("file:///etc/passwd", "https://people.googleapis.com")).toBe(false);

    // An adapter whose API is elsewhere: a photo URL naming this local server is not fetched at all.
    const elsewhere = createGoogleAdapter({ apiBaseUrl: "https://people.googleapis.com/", credentials: { kind: "bearer", accessToken: async () => "t" }, groupId: "contactGroups/myContacts", defaultCountry: "US" });
    expect(await elsewhere.fetchPhotos([{ id: "people/c1", photoUrl: `${origin}/photo` }])).toEqual([null]);
    expect(hits).toEqual([]);

    // Where it may ask: a redirect is not followed, a body over the cap is dropped.
    const local = createGoogleAdapter({ apiBaseUrl: `${origin}/`, credentials: { kind: "bearer", accessToken: async () => "t" }, groupId: "contactGroups/myContacts", defaultCountry: "US" });
    const [redirected, huge, fine] = await local.fetchPhotos([
      { id: "people/c1", photoUrl: `${origin}/redirect` },
      { id: "people/c2", photoUrl: `${origin}/huge` },
      { id: "people/c3", photoUrl: `${origin}/photo` },
    ]);
    expect(redirected).toBeNull();
    expect(huge).toBeNull();
    expect(fine?.data.equals(PNG)).toBe(true);
    expect(hits.sort()).toEqual(["/huge", "/photo", "/redirect"]);
  });
});

it("the demo certificate is made per checkout and is a leaf for localhost, not a CA; no certificate or key is committed", async () => {
  const fs = await import("node:fs");
  const path = await import("node:path");
  const { X509Certificate } = await import("node:crypto");
  const { ensureEmulatorCert } = await import("@/scripts/emulator-cert.cjs");
  const dir = fs.mkdtempSync(path.join((await import("node:os")).tmpdir(), "tandem-cert-"));
  const cert = new X509Certificate(fs.readFileSync(ensureEmulatorCert(path.join(dir, "tls")).certPath));
  expect(cert.ca).toBe(false);
  expect(cert.subjectAltName).toBe("DNS:localhost");
  expect(cert.checkHost("localhost")).toBe("localhost");
  expect(cert.checkHost("accounts.google.com")).toBeUndefined();
  fs.rmSync(dir, { recursive: true, force: true });
  // The repository keeps none (the old emulators/certs is gone).
  const tracked = (await import("node:child_process")).execFileSync("git", ["ls-files"], { encoding: "utf8" }).split("\n");
  expect(tracked.filter((f) => /\.(key|pem|crt)$/.test(f))).toEqual([]);
});
