// Benchmark: the CardDAV group list (the wizard's group step, and the connection's settings) on
// a real Radicale with a book of N cards: the first look reads the book's group cards, a look
// while the book is unchanged reads only the list of books (their sync-tokens say nothing
// changed), and a look after a card changed reads them again.
//   NODE_OPTIONS=--import=./scripts/server-side.mjs tsx bench/carddav-groups.ts [--contacts 5000] [--looks 5]
import { parseArgs } from "node:util";
import { createCardDavAdapter } from "@/lib/sync/providers/carddav/adapter";
import { startCardDavEmulator, seedCardDavBook } from "./lib/carddav";
import { ensureBenchProcess } from "./lib/proc";
import { benchContact } from "./lib/address-book";

const { values } = parseArgs({ options: { contacts: { type: "string", default: "5000" }, looks: { type: "string", default: "5" } } });
const contacts = Number(values.contacts);
const looks = Number(values.looks);

async function main(): Promise<void> {
  if (!ensureBenchProcess()) return;
  const emu = await startCardDavEmulator();
  try {
    const book = await seedCardDavBook(emu, contacts);
    const secret = book.secret;
    if (!("kind" in secret)) throw new Error("a CardDAV book signs in with a password");
    const adapter = () =>
      createCardDavAdapter({
        apiBaseUrl: secret.apiBaseUrl,
        credentials: { kind: "basic", username: secret.username, password: secret.password, origins: [new URL(secret.apiBaseUrl).origin] },
        groupId: book.groupId,
        defaultCountry: "US",
      });
    const timed = async () => {
      const started = performance.now();
      const groups = await adapter().listGroups();
      return { ms: performance.now() - started, groups: groups.length };
    };
    const first = await timed();
    const again: number[] = [];
    for (let i = 0; i < looks; i++) again.push((await timed()).ms);
    await book.add(benchContact(contacts));
    const changed = await timed();
    const median = [...again].sort((a, b) => a - b)[Math.floor(again.length / 2)]!;
    console.log(
      `carddav-groups-${contacts} (radicale): first look ${first.ms.toFixed(0)} ms (${first.groups} groups); ` +
        `again, book unchanged: median ${median.toFixed(1)} ms over ${looks}; after a card changed: ${changed.ms.toFixed(0)} ms`,
    );
  } finally {
    await emu.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
