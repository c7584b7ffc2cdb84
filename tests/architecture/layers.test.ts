// The layers the lint enforces (eslint.config.mjs): an import that crosses one the wrong way is
// an error, whether spelt with the "@/" alias or as a relative path; the same import where the
// layers allow it is not.
import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const eslint = new ESLint({ cwd: path.resolve(import.meta.dirname, "../..") });

async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return result!.messages.filter((m) => m.ruleId === "import/no-restricted-paths").map((m) => m.message);
}

describe("layers", () => {
  const forbidden: [string, string, string][] = [
    ["db/queries/example.ts", 'import { EMPTY_CONTACT } from "@/lib/sync/model/contact";', "db/ is the bottom layer"],
    ["db/example.ts", 'import { EMPTY_CONTACT } from "../lib/sync/model/contact";', "db/ is the bottom layer"],
    ["lib/persons/example.ts", 'import { Card } from "@/components/ui/card";', "lib/ sits below"],
    ["components/example.tsx", 'import { syncLinks } from "@/db/schema";', "through lib/"],
    ["lib/sync/engine/example.ts", 'import { google } from "../providers/google/definition";', "through lib/sync/providers/registry.ts"],
    ["app/example.ts", 'import { google } from "@/lib/sync/providers/google/definition";', "through lib/sync/providers/registry.ts"],
  ];
  it.each(forbidden)("%s may not: %s", async (file, line, says) => {
    const messages = await restricted(file, `${line}\nexport const used = [${line.match(/\{ (\w+) \}/)![1]}];\n`);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(says);
  });

  const allowed: [string, string][] = [
    ["lib/sync/engine/example.ts", 'import { syncLinks } from "@/db/schema";'],
    ["lib/sync/engine/example.ts", 'import { providerDefinition } from "../providers/registry";'],
    ["lib/sync/providers/example.ts", 'import { google } from "./google/definition";'],
    ["db/example.ts", 'import { REFUSAL_CAUSES } from "./vocabulary";'],
    ["components/example.tsx", 'import { EMPTY_CONTACT } from "@/lib/sync/model/contact";'],
  ];
  it.each(allowed)("%s may: %s", async (file, line) => {
    expect(await restricted(file, `${line}\nexport const used = [${line.match(/\{ (\w+) \}/)![1]}];\n`)).toEqual([]);
  });
});
