// Demo mode's CardDAV: there is no emulator, so the demo runs a real Radicale server (installed
// from Debian's package) with a throwaway storage folder and the demo account's "Friends"
// address book. Loaded only in demo mode.
import { seedDemoAddressBook, startDavServer } from "@/emulators/carddav";

export async function startCardDavDemo({ port, account, password }: { port: number; account: string; password: string }): Promise<void> {
  const url = `http://127.0.0.1:${port}`;
  const answering = await fetch(url, { method: "OPTIONS", signal: AbortSignal.timeout(1_000) }).then(
    () => true,
    () => false,
  );
  if (answering) return;
  const server = await startDavServer({ kind: "radicale", port });
  await seedDemoAddressBook(server, account, password);
}
