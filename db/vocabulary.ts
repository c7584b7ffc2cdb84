// The words the database stores that the sync speaks too: which provider a connection talks to,
// why a provider refused a write, which fields of a contact were held back. Both db/ and lib/
// import them from here (db/ imports nothing from lib/sync).

/** A provider family's id ("google", "microsoft", "carddav", …): stored as text, not an enum, so
 * a new provider is a folder and a registry line, not a migration. Checked where it enters the
 * app (lib/sync/providers/registry.ts isProviderId). */
export type ProviderId = string;

/** Why a provider refused a contact, as far as its answer tells (the dashboard says it in the
 * user's words, beside the provider's own text): a value it does not accept, an address book
 * that is full, a contact too large, a change the account may not make, or throttling that
 * outlasted the retries. */
export const REFUSAL_CAUSES = ["invalid", "full", "too_large", "forbidden", "throttled"] as const;
export type RefusalCause = (typeof REFUSAL_CAUSES)[number];

/** A field of a provider's contact longer than Tandem syncs: left out, never cut. `unit`: what
 * was too many — characters of a value, or items of a list. */
export type HeldField<Field extends string = string> = { field: Field; length: number; limit: number; unit: "characters" | "items" };
