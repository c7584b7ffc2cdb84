// Child process: one provider emulator on a free port, until SIGTERM or its stdin closes.
//   tsx bench/lib/emulator-process.ts google|microsoft [port]
import { startGoogleEmulator, startMicrosoftEmulator } from "@/emulators";
import { sendResult } from "./proc";

async function main(): Promise<void> {
  const provider = process.argv[2] === "microsoft" ? "microsoft" : "google";
  const port = Number(process.argv[3] ?? 0);
  const emu = provider === "google" ? await startGoogleEmulator({ port }) : await startMicrosoftEmulator({ port });
  sendResult({ url: emu.url, port: emu.port, pid: process.pid });
  const stop = () => void emu.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.stdin.on("end", stop);
  process.stdin.resume();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
