import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";

// The interface's language per request, and its messages: lib/i18n/request.ts.
const withNextIntl = createNextIntlPlugin("./lib/i18n/request.ts");

const nextConfig: NextConfig = {
  // PGlite loads its wasm and data files through new URL(..., import.meta.url); bundling breaks that.
  serverExternalPackages: ["@electric-sql/pglite"],
  // next dev serves its dev resources only to allowed origins; tests browse 127.0.0.1.
  allowedDevOrigins: ["127.0.0.1"],
  poweredByHeader: false,
  // On every response, pages and API alike (pages also get a per-response CSP from proxy.ts).
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
        ],
      },
    ];
  },
};

export default withNextIntl(nextConfig);
