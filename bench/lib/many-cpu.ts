// CPU time of other processes, from /proc (Linux): a process and every descendant it has, live or
// already exited. A live process contributes its utime + stime; one that has exited and been
// reaped is in its parent's cutime + cstime. Summing both over the live members of the tree
// counts every process of it once. Used by bench/many.ts for the worker processes, the Postgres
// server (the postmaster reaps its backends) and the emulator.
import { execFileSync } from "node:child_process";
import fs from "node:fs";

let ticks: number | null = null;

/** Clock ticks per second (USER_HZ). */
function clockTicks(): number {
  if (ticks === null) {
    try {
      ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

type Stat = { pid: number; ppid: number; own: number; children: number };

function readStat(pid: number): Stat | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // "pid (comm) state ppid … utime(14) stime(15) cutime(16) cstime(17) …"; comm may hold spaces.
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const n = (i: number) => Number(rest[i - 3] ?? 0);
  return { pid, ppid: n(4), own: n(14) + n(15), children: n(16) + n(17) };
}

function allStats(): Stat[] {
  const out: Stat[] = [];
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) out.push(s);
  }
  return out;
}

/** CPU milliseconds (user + system) used so far by each tree rooted at the given pids; null for
 * a root that is gone. One pass over /proc for all of them. */
export function treeCpuMs(roots: number[]): (number | null)[] {
  const stats = allStats();
  const byParent = new Map<number, Stat[]>();
  for (const s of stats) byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), s]);
  const byPid = new Map(stats.map((s) => [s.pid, s]));
  const hz = clockTicks();
  return roots.map((root) => {
    const top = byPid.get(root);
    if (!top) return null;
    let sum = 0;
    const todo = [top];
    while (todo.length > 0) {
      const s = todo.pop()!;
      sum += s.own + s.children;
      todo.push(...(byParent.get(s.pid) ?? []));
    }
    return (sum * 1000) / hz;
  });
}

/** The postmaster's pid of a Postgres server on this machine, from the data directory the
 * server names (`show data_directory` → postmaster.pid); null when it cannot be read (a remote
 * server, another user's files). */
export async function postmasterPid(url: string): Promise<number | null> {
  const { default: postgres } = await import("postgres");
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ data_directory: string }[]>`show data_directory`;
    const first = fs.readFileSync(`${row!.data_directory}/postmaster.pid`, "utf8").split("\n")[0];
    const pid = Number(first);
    return Number.isInteger(pid) && pid > 0 && fs.existsSync(`/proc/${pid}`) ? pid : null;
  } catch {
    return null;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
