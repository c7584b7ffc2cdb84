// The words the database stores that the sync speaks too: which provider a connection talks to,
// why a provider refused a write, which fields of a contact were held back. Both db/ and lib/
// import them from here (db/ imports nothing from lib/sync), as they do the shape of a contact that
// a link keeps as its base (normalised by lib/sync/model/contact.ts).

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

/** The canonical, provider-neutral contact (lib/sync/model/contact.ts normalises it): what both
 * sides of a sync are compared in, and what a link keeps as the base both last agreed on. */
export type Labeled = { value: string; label: string };

export type Contact = {
  firstName: string;
  lastName: string;
  /** A set, by value; sorted by value once normalised. */
  emails: Labeled[];
  /** A set, by value (E.164 where parseable); sorted by value once normalised. */
  phones: Labeled[];
  /** The person's address: one line of text. */
  address: string | null;
  /** A second, postal address (company custom field "Postal address"). */
  postalAddress: string | null;
  /** Instant-messaging handles, a set (custom field "Instant messaging"). */
  ims: string[];
  /** The organization's name (CRM: organization found by name, or created). */
  organization: string | null;
  jobTitle: string | null;
  /** Free text, line breaks kept. */
  notes: string | null;
  /** "YYYY-MM-DD", or "--MM-DD" when the year is unknown. */
  birthday: string | null;
};
