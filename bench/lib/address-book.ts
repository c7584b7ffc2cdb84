// A benchmark's address book: N contacts in one group with every mapped field filled (name, 2
// e-mails, 2 phones, home and work address, IM, company, job title, notes, birthday; a photo on
// a share of them), built and changed through the provider API with the test kit's address book
// (the official clients), as a user's phone or Outlook would.
import { portraitPhoto } from "@/emulators/shared/images";
import { openAddressBook, type AddressBook, type BookContact } from "@/tests/kit/address-book";
import type { EmulatorHandle } from "./emulator";

/** The book and its contacts' ids, in creation order (changes keep it current). */
export type BenchBook = AddressBook & { ids: string[] };

/** The i-th contact of a benchmark's book (also the content of the CardDAV seed's cards). */
export function benchContact(i: number): BookContact {
  const d4 = String(i % 10_000).padStart(4, "0");
  return {
    given: `Given${i}`,
    family: `Family${i}`,
    email: `person${i}@example.com`,
    email2: `p${i}@home.example`,
    phone: `+1 415 555 ${d4}`,
    phone2: `+1 212 555 ${d4}`,
    home: { street: `${i} Main St`, city: "Springfield", region: "IL", postalCode: "62701" },
    work: { street: `${i % 500} Market St`, city: "Springfield", region: "IL", postalCode: "62701" },
    company: `Company ${i % 50}`,
    title: "Engineer",
    notes: `Met at conference ${i}.`,
    im: `im${i}`,
    birthday: `${1970 + (i % 30)}-${String(1 + (i % 12)).padStart(2, "0")}-${String(1 + (i % 28)).padStart(2, "0")}`,
  };
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, k) => benchContact(from + k));

/** Every `1/share`-th contact gets a photo (share 0: none). */
const hasPhoto = (i: number, share: number) => share > 0 && i % Math.round(1 / share) === 0;

export async function buildAddressBook(emu: EmulatorHandle, n: number, opts: { photoShare?: number; email?: string } = {}): Promise<BenchBook> {
  const book = await openAddressBook({ provider: emu.provider, url: emu.url, email: opts.email ?? `bench-${emu.provider}@example.com`, group: "Clients", create: true });
  const ids = await book.addMany(range(0, n));
  for (const [i, id] of ids.entries()) if (hasPhoto(i, opts.photoShare ?? 0)) await book.setPhoto(id, portraitPhoto(i));
  return { ...book, ids };
}

/** Changes at the provider, as a user would make them: deletes the first `del` contacts,
 * creates `create` new ones, edits the notes and job title of `update` others. Deletes go
 * first so a 25,000-contact Google account stays within its limit. */
export async function changeAtProvider(book: BenchBook, change: { create: number; update: number; del: number }): Promise<void> {
  const doomed = book.ids.splice(0, change.del);
  const edited = book.ids.slice(0, change.update);
  await book.removeMany(doomed);
  book.ids.push(...(await book.addMany(range(book.ids.length + change.del + 1_000_000, change.create))));
  for (const id of edited) await book.update(id, { notes: `Edited at ${book.provider}.`, title: "Director" });
}
