// Child process: the floor of a CardDAV run, "Radicale alone" (carddav.ts), timed in a process of
// its own, each target in turn (through the counting proxy, and straight to Radicale), `runs`
// times, interleaved so that load from elsewhere falls on both alike.
// mode "listing": a full listing (sync-collection, then the multigets of every card).
// mode "changes": the run that finds nothing changed: one sync-collection with a current token
//                 (taken first, untimed).
//   tsx bench/lib/dav-floor.ts '<json spec>'
import { multigetAll, syncCollection, type DavTarget } from "./dav-requests";
import { sendResult } from "./proc";

export type DavFloorSpec = { mode: "listing" | "changes"; targets: Record<string, DavTarget>; runs: number };

export type DavFloorRun = { ms: number; requests: number; cards: number; syncMs: number; multigetMs: number; bytes: number };

export type DavFloorResult = { byTarget: Record<string, DavFloorRun[]>; peakRssMb: number };

async function once(mode: DavFloorSpec["mode"], dav: DavTarget): Promise<DavFloorRun> {
  if (mode === "changes") {
    const { token } = await syncCollection(dav, null);
    const again = await syncCollection(dav, token);
    return { ms: Math.round(again.ms), requests: 1, cards: again.hrefs.length, syncMs: Math.round(again.ms), multigetMs: 0, bytes: 0 };
  }
  const t = performance.now();
  const listed = await syncCollection(dav, null);
  const got = await multigetAll(dav, listed.hrefs);
  return { ms: Math.round(performance.now() - t), requests: 1 + got.requests, cards: got.cards, syncMs: Math.round(listed.ms), multigetMs: Math.round(got.ms), bytes: got.bytes };
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? "{}") as DavFloorSpec;
  const byTarget: Record<string, DavFloorRun[]> = {};
  // The fetch stack loaded and a connection open before the first timed request.
  for (const dav of Object.values(spec.targets)) await syncCollection(dav, null);
  for (let i = 0; i < spec.runs; i++) {
    for (const [name, dav] of Object.entries(spec.targets)) (byTarget[name] ??= []).push(await once(spec.mode, dav));
  }
  sendResult({ byTarget, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) } satisfies DavFloorResult);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
