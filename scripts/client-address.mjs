// Who is on the other end of a request, for the sign-in throttle (used by scripts/server.mjs).

/**
 * The chain is X-Forwarded-For's entries, then the socket's peer; the client is `trustedHops`
 * from its right end (0: the peer itself — whatever X-Forwarded-For says). With fewer entries
 * than hops, the leftmost one.
 * @param {string | string[] | undefined} forwardedFor
 * @param {string} peer
 * @param {number} trustedHops
 * @returns {string}
 */
export function clientAddress(forwardedFor, peer, trustedHops) {
  if (trustedHops <= 0) return peer;
  const forwarded = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? ""))
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const chain = [...forwarded, peer];
  return chain[Math.max(0, chain.length - 1 - trustedHops)] ?? peer;
}
