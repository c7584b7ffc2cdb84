// Preloaded into the app's server process by a benchmark (NODE_OPTIONS=--require …, with
// BENCH_LOOP_LOG=<file>): every 250 ms it appends the event loop's longest stall and 99th
// percentile delay of that interval to the file, and its longest garbage-collection pause, one
// JSON line each ({ at, maxMs, p99Ms, gcMs }), so that the benchmark can read the stalls of the
// window it measured (and tell a collection from a task that would not yield). Only the process that runs
// scripts/server.mjs (the one that serves pages) writes; the others load it and do nothing.
// CommonJS: preloaded before any loader.
const fs = require("node:fs");
const { monitorEventLoopDelay, PerformanceObserver } = require("node:perf_hooks");

const file = process.env.BENCH_LOOP_LOG;
if (file && (process.argv[1] ?? "").endsWith("server.mjs")) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let gcMs = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs = Math.max(gcMs, entry.duration);
  }).observe({ entryTypes: ["gc"] });
  setInterval(() => {
    fs.appendFileSync(file, `${JSON.stringify({ at: Date.now(), maxMs: Math.round(histogram.max / 1e6), p99Ms: Math.round(histogram.percentile(99) / 1e6), gcMs: Math.round(gcMs) })}\n`);
    histogram.reset();
    gcMs = 0;
  }, 250).unref();
}
