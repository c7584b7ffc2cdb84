// The process's wake-up channel for sync workers: a request for a run (Refresh, a CRM edit, a
// provider's notification) tells this process's idle workers to look for work now instead of at
// their next poll. It lives outside lib/sync so that db/ (which asks for runs when a person is
// written) can use it. Other processes notice requests on their next poll.
//
// Process-wide, on globalThis, so that module copies (Next.js dev reloads, route bundles) share
// one channel.
type Channel = { target: EventTarget; generation: number };
const store = globalThis as unknown as { __tandemWakeups?: Channel };
const channel: Channel = (store.__tandemWakeups ??= { target: new EventTarget(), generation: 0 });

/** Tells this process's idle workers to look for work now. */
export function wakeWorkers(): void {
  channel.generation++;
  channel.target.dispatchEvent(new Event("wake"));
}

/** Wakes the workers when a request that lies ahead (a debounced edit) falls due. */
export function wakeWorkersAt(at: Date): void {
  const ms = at.getTime() - Date.now();
  if (ms <= 0) return wakeWorkers();
  // (Never keeps a process alive that has nothing else to do.)
  setTimeout(wakeWorkers, ms + 20).unref();
}

/** Counts wake-ups, so a worker that was busy when one came knows to look again at once. */
export function wakeGeneration(): number {
  return channel.generation;
}

/** Resolves after `ms`, at a wake-up (or one since `seen`), or when `signal` aborts. */
export function sleepUntilWoken(ms: number, signal: AbortSignal, seen: number): Promise<void> {
  if (signal.aborted || channel.generation !== seen) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      channel.target.removeEventListener("wake", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
    channel.target.addEventListener("wake", done);
  });
}
