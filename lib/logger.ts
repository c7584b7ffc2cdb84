// The one logger shape of the app's background work (sync runs, workers, the CLIs): a message and
// a flat object of facts. Callers never pass tokens, passwords or SQL; the sinks below write what
// they are given.
export type Logger = {
  info(msg: string, data?: object): void;
  warn(msg: string, data?: object): void;
  error(msg: string, data?: object): void;
};

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** Human-readable lines on the console: `prefix msg {"facts":…}`. */
export function textLogger(prefix: string): Logger {
  const line = (msg: string, data?: object) => `${prefix} ${msg}${data ? ` ${JSON.stringify(data)}` : ""}`;
  return {
    info: (msg, data) => console.log(line(msg, data)),
    warn: (msg, data) => console.warn(line(msg, data)),
    error: (msg, data) => console.error(line(msg, data)),
  };
}

/** One JSON object per line (info on stdout, the rest on stderr), for log collectors. */
export function jsonLogger(fields: object = {}): Logger {
  const write = (level: string, stream: NodeJS.WriteStream) => (msg: string, data?: object) =>
    stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields, ...data })}\n`);
  return { info: write("info", process.stdout), warn: write("warn", process.stderr), error: write("error", process.stderr) };
}
