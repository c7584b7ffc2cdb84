// `node --import ./scripts/server-side.mjs`: a Node process outside Next.js (the CLIs, the
// worker, the benchmarks, the tests) is a server, so a module marked `import "server-only"`
// loads there as it does in Next's server bundles: the marker resolves to its empty module.
// (Next.js does the same for its server code; in a client bundle the marker fails the build.)
import path from "node:path";
import Module, { register } from "node:module";
import { fileURLToPath } from "node:url";

const empty = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "node_modules", "server-only", "empty.js");

// require() (tsx runs the TypeScript of this repository as CommonJS)
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === "server-only" ? empty : resolveFilename.call(this, request, ...rest);
};

// import
register(
  "data:text/javascript," +
    encodeURIComponent(
      `export async function resolve(specifier, context, next) {
        return specifier === "server-only" ? { url: ${JSON.stringify(new URL(`file://${empty}`).href)}, shortCircuit: true } : next(specifier, context);
      }`,
    ),
);
