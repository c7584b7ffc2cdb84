// Summarises a V8 CPU profile (node --cpu-prof; BENCH_CPU_PROF=<dir> makes the benchmarks write
// one for the measured process): self time by function and by file, and inclusive ("total") time
// of the project's own functions.
//   tsx bench/profile-top.ts <file.cpuprofile> [--top 25] [--last-ms N]
// --last-ms: only the last N ms of the profile (the measured work ends the process; this leaves
// out start-up and module loading).
import fs from "node:fs";
import { parseArgs } from "node:util";

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };

const { values, positionals } = parseArgs({
  options: { top: { type: "string", default: "25" }, "last-ms": { type: "string" } },
  allowPositionals: true,
});
const file = positionals[0];
if (!file) throw new Error("usage: tsx bench/profile-top.ts <file.cpuprofile>");
const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
const top = Number(values.top);

const self = new Map<number, number>();
const at: number[] = [];
profile.timeDeltas.reduce((t, d, i) => (at[i] = t + d / 1000), 0);
const from = values["last-ms"] ? at[at.length - 1]! - Number(values["last-ms"]) : -Infinity;
profile.samples.forEach((id, i) => {
  if (at[i]! >= from) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
});
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const short = (url: string) => url.replace(/^file:\/\//, "").replace(process.cwd() + "/", "").replace(/^.*node_modules\//, "~/") || "(native)";
const label = (n: Node) => `${n.callFrame.functionName || "(anonymous)"} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
const totalMs = [...self.values()].reduce((a, b) => a + b, 0);

function table(title: string, rows: Map<string, number>): void {
  console.log(`\n${title} (of ${Math.round(totalMs)} ms sampled)`);
  for (const [k, v] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${v.toFixed(0).padStart(8)} ms ${((100 * v) / totalMs).toFixed(1).padStart(5)}%  ${k}`);
}

const selfByFn = new Map<string, number>();
const selfByFile = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, ms] of self) {
  const n = byId.get(id)!;
  selfByFn.set(label(n), (selfByFn.get(label(n)) ?? 0) + ms);
  const f = n.callFrame.url ? short(n.callFrame.url).split(":")[0]! : n.callFrame.functionName || "(native)";
  selfByFile.set(f, (selfByFile.get(f) ?? 0) + ms);
  // Inclusive time of our own code (lib/, db/, bench/): each frame once per sample stack.
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const node = byId.get(cur)!;
    const u = short(node.callFrame.url);
    if (/^(lib|db|bench)\//.test(u) && !seen.has(label(node))) {
      seen.add(label(node));
      inclusive.set(label(node), (inclusive.get(label(node)) ?? 0) + ms);
    }
  }
}
table("self time by function", selfByFn);
table("self time by file", selfByFile);
table("inclusive time of project functions", inclusive);
