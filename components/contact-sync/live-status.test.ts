import { createTranslator, type AbstractIntlMessages } from "next-intl";
import { describe, expect, it } from "vitest";
import en from "@/lib/i18n/messages/en.json";
import sv from "@/lib/i18n/messages/sv.json";
import { liveModeText, statusLabel } from "./live-status";

describe("the dashboard's status line", () => {
  const idle = { running: null, interrupted: null, waiting: false, status: "active" as const };
  /** The status line's messages in a language, as the component gets them from useTranslations. */
  const translator = (locale: "en" | "sv") => {
    const tr = createTranslator({ locale, messages: (locale === "en" ? en : sv) as AbstractIntlMessages, namespace: "liveStatus" });
    return (key: string, values?: Record<string, string | number>) => tr(key, values as never);
  };
  const t = translator("en");

  it("says a run that did not finish is interrupted and resuming, never 'Up to date'", () => {
    const label = statusLabel({ ...idle, interrupted: { processed: 8000, at: "2026-11-29T20:32:00Z" } }, t, "en");
    expect(label).toMatch(/^Interrupted at 8,000 contacts \(29 Nov 2026, \d\d:32\); resuming$/);
    expect(label).not.toMatch(/Up to date/);
  });

  it("says a resumed run is a resumed run, and 'Up to date' only when nothing is under way", () => {
    expect(statusLabel({ ...idle, running: { processed: 8500, total: null, resumed: true } }, t, "en")).toBe("Syncing… 8,500 contacts so far (resumed after an interruption)");
    expect(statusLabel({ ...idle, running: { processed: 10, total: 25000, resumed: false } }, t, "en")).toBe("Syncing… 10 of 25,000 contacts");
    expect(statusLabel({ ...idle, waiting: true }, t, "en")).toBe("Sync starting…");
    expect(statusLabel(idle, t, "en")).toBe("Up to date");
  });

  it("speaks Swedish, with Swedish numbers and dates", () => {
    const sv_t = translator("sv");
    expect(statusLabel({ ...idle, interrupted: { processed: 8000, at: "2026-11-29T20:32:00Z" } }, sv_t, "sv")).toMatch(/^Avbruten vid 8\u00a0000 kontakter \(29 nov\. 2026 \d\d:32\); återupptas$/);
    expect(statusLabel(idle, sv_t, "sv")).toBe("Synkad");
  });

  it("says how the connection stays in step: notified, checked while active, or its interval", () => {
    expect(liveModeText({ live: "notifications", intervalMinutes: 5 }, "Outlook", t)).toBe("Live: Outlook tells Tandem of changes as they happen.");
    expect(liveModeText({ live: "checks", intervalMinutes: 15 }, "Google", t)).toBe("Checks for changes every minute while you are active; otherwise every 15 minutes.");
    // Only on Refresh means only on Refresh, whatever the provider could do.
    expect(liveModeText({ live: "checks", intervalMinutes: 0 }, "Google", t)).toBe("Syncs when you press Refresh.");
    expect(liveModeText({ live: "notifications", intervalMinutes: 0 }, "Outlook", t)).toBe("Syncs when you press Refresh.");
    expect(liveModeText({ live: "interval", intervalMinutes: 5 }, "Outlook", t)).toBe("Syncs every 5 minutes.");
    expect(liveModeText({ live: "interval", intervalMinutes: 0 }, "Outlook", t)).toBe("Syncs when you press Refresh.");
    const sv_t = translator("sv");
    expect(liveModeText({ live: "interval", intervalMinutes: 15 }, "Outlook", sv_t)).toBe("Synkar var 15:e minut.");
    expect(liveModeText({ live: "notifications", intervalMinutes: 5 }, "Outlook", sv_t)).toBe("Live: Outlook meddelar Tandem om ändringar när de sker.");
  });
});
