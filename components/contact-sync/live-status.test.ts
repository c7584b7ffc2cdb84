import { describe, expect, it } from "vitest";
import { statusLabel } from "./live-status";

describe("the dashboard's status line", () => {
  const idle = { running: null, interrupted: null, waiting: false, status: "active" as const };

  it("says a run that did not finish is interrupted and resuming, never 'Up to date'", () => {
    const label = statusLabel({ ...idle, interrupted: { processed: 8000, at: "2026-11-29T20:32:00Z" } });
    expect(label).toMatch(/^Interrupted at 8,000 contacts \(.+\); resuming$/);
    expect(label).not.toMatch(/Up to date/);
  });

  it("says a resumed run is a resumed run, and 'Up to date' only when nothing is under way", () => {
    expect(statusLabel({ ...idle, running: { processed: 8500, total: null, resumed: true } })).toBe("Syncing… 8500 contacts so far (resumed after an interruption)");
    expect(statusLabel({ ...idle, waiting: true })).toBe("Sync starting…");
    expect(statusLabel(idle)).toBe("Up to date");
  });
});
