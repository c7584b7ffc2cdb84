// The part of autocannon's API the dashboard benchmark uses (the package ships no types).
declare module "autocannon" {
  type Options = { url: string; connections?: number; duration?: number; timeout?: number; headers?: Record<string, string> };
  type Result = { requests: { total: number }; errors: number; timeouts: number; non2xx: number; "2xx": number };
  interface Instance {
    on(event: "response", listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): this;
    on(event: "reqError", listener: (error: Error) => void): this;
    stop(): void;
  }
  function autocannon(options: Options, done: (error: Error | null, result: Result) => void): Instance;
  export default autocannon;
}
