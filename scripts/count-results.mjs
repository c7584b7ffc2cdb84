// Prints "<passed> <failed>" from a Vitest or Playwright JSON report (missing report = 1 failure).
import fs from "node:fs";

const [kind, file] = process.argv.slice(2);
let report;
try {
  report = JSON.parse(fs.readFileSync(file, "utf8"));
} catch {
  console.log("0 1");
  process.exit(0);
}
if (kind === "vitest") {
  // A file that fails to load has no failed test but fails the run: count it as one.
  const failed = report.numFailedTests;
  console.log(`${report.numPassedTests} ${report.success ? failed : Math.max(failed, 1)}`);
} else {
  const s = report.stats ?? {};
  const failed = (s.unexpected ?? 0) + (s.flaky ?? 0) + (report.errors?.length ?? 0);
  console.log(`${s.expected ?? 0} ${failed}`);
}
