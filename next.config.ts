import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // PGlite loads its wasm and data files through new URL(..., import.meta.url); bundling breaks that.
  serverExternalPackages: ["@electric-sql/pglite"],
  // next dev serves its dev resources only to allowed origins; tests browse 127.0.0.1.
  allowedDevOrigins: ["127.0.0.1"],
  poweredByHeader: false,
};

export default nextConfig;
