// What the engine needs from a contact provider, split by capability. Each adapter maps its
// provider's JSON to the canonical Contact (providers/*/mapping.ts) and talks to the provider
// through its official client (providers/*/adapter.ts). Nothing here knows Google or Microsoft.
import type { Contact, OversizeField } from "./contact";
import { LAST_ERROR } from "./last-error";
import type { ProviderId, RefusalCause } from "@/db/vocabulary";

export type ProviderGroup = { id: string; name: string; memberCount?: number };

/** One contact as a pull delivers it. */
export type PulledContact = {
  id: string;
  etag: string;
  /** A tombstone: the contact was deleted at the provider. */
  deleted: boolean;
  /** Still in the synced group/folder (a contact that left it is, for us, gone). */
  inScope: boolean;
  /** Normalised and projected onto what the provider can represent; EMPTY for tombstones. */
  contact: Contact;
  photoUrl?: string | null;
  /** Earlier ids of the same contact (Google re-keys contacts). */
  previousIds?: string[];
  /** The CRM person id stamped on the contact when we created it, if the provider keeps one. */
  stamp?: string | null;
  /** Fields longer than Tandem syncs (contact.ts FIELD_LIMITS): left out of `contact`, never
   * cut; the engine leaves them as they are on both sides, and lists the contact under "Needs
   * attention" until they are shortened. */
  oversize?: OversizeField[];
};

/** A contact the provider delivered but that could not be read (a malformed vCard): it is
 * reported, and its link (if any) is kept as it is, neither changed nor taken as gone. */
export type UnreadableContact = { id: string; label: string; message: string };

export type PullPage = {
  items: PulledContact[];
  unreadable?: UnreadableContact[];
  /** The provider's token for the page after this one (null: this was the last): kept with the
   * page's writes, an interrupted listing goes on from there. */
  next: string | null;
};

export type Photo = { contentType: string; data: Buffer };
/** A contact's photo to fetch: its provider id and the photoUrl a pull delivered. */
export type PhotoRef = { id: string; photoUrl: string };
/** The share of an account's request limit that photo fetches may use: `requests` per
 * `windowMs`, each photo one request. */
export type PhotoQuota = { requests: number; windowMs: number };

export type PullResult = {
  /** The cursor to store once everything delivered is committed. */
  cursor: string;
  /** True when this was a full listing (first sync, or the old cursor expired). */
  full: boolean;
};


/** The cause an HTTP status tells, where it tells one. */
export function causeOfStatus(status: number | undefined): RefusalCause | undefined {
  if (status === 413) return "too_large";
  if (status === 507) return "full";
  if (status === 403) return "forbidden";
  if (status === 429 || status === 503) return "throttled";
  if (status === 400 || status === 415 || status === 422) return "invalid";
  return undefined;
}

type Refused = { ok: false; error: "rejected"; message: string; cause?: RefusalCause };

/** A write the provider refused, with the cause its answer tells (if it tells one). */
export function refused(message: string, cause?: RefusalCause): Refused {
  return { ok: false, error: "rejected", message, ...(cause ? { cause } : {}) };
}

export type WriteResult =
  | { ok: true; id: string; etag: string; contact: Contact }
  | { ok: false; error: "conflict" | "not_found"; message: string }
  | Refused;

/** "conflict": the contact changed at the provider since it was read; the next pull reads it
 * again, and the deletion is sent again after that (a deletion wins over a change). */
export type DeleteResult = { ok: true } | { ok: false; error: "not_found" | "conflict"; message: string } | Refused;

export interface ContactReader {
  listGroups(): Promise<ProviderGroup[]>;
  /** Delivers every changed contact since `cursor` (all contacts when null) page by page;
   * onPage must finish before the next page is fetched. Throws CursorExpiredError when the
   * provider no longer accepts the cursor. */
  pull(cursor: string | null, onPage: (page: PullPage) => Promise<void>, options?: { resumeFrom?: string }): Promise<PullResult>;
  /** The contacts' photos, in input order (null: none). Batched where the provider allows. */
  fetchPhotos(contacts: PhotoRef[]): Promise<(Photo | null)[]>;
  /** For providers whose pull cannot say which contacts have a photo (Graph): the group's
   * contacts that have one, listed in a few calls rather than asked one by one. `requests` is
   * what the listing cost. */
  contactsWithPhotos?(): Promise<{ ids: Set<string>; requests: number }>;
  /** Set where the provider limits an account's requests (Graph: per mailbox). */
  readonly photoQuota?: PhotoQuota;
}

export interface ContactWriter {
  /** Creates contacts in the synced group; results in input order. `stamp` is the CRM person id. */
  create(items: { contact: Contact; stamp: string }[]): Promise<WriteResult[]>;
  /** Updates mapped fields only, with the etag as a precondition; results in input order.
   * `base` is what we last knew the provider to hold (adapters may diff against it). */
  update(items: { id: string; etag: string | null; contact: Contact; base: Contact }[]): Promise<WriteResult[]>;
  /** `etag`: what we last knew of the contact, a precondition where the provider takes one. */
  delete(items: { id: string; etag: string | null }[]): Promise<DeleteResult[]>;
  /** Finds contacts our creates stamped with these CRM person ids (stamp → provider id), for
   * providers whose listings do not carry the stamp. Used only after a crash left creates
   * unconfirmed. */
  findCreated?(stamps: string[]): Promise<Map<string, string>>;
}

/** Where a provider's notifications go (our routes) and the secret each must carry. */
export type NotificationTarget = { notificationUrl: string; lifecycleUrl: string };

/** A provider that tells us that something changed (Graph change notifications): the delta
 * listing still reads what. One subscription per connection, on its group. */
export interface ChangeNotifications {
  /** The longest a subscription may last before it must be renewed. */
  readonly maxLifetimeMs: number;
  /** Creates one; the provider checks the target answers first. `expiresAt` as the provider set it. */
  subscribe(target: NotificationTarget & { clientState: string; expiresAt: Date }): Promise<{ id: string; expiresAt: Date }>;
  /** Moves the expiry on (this also answers a reauthorization request); null: the provider has no such subscription. */
  renew(id: string, expiresAt: Date): Promise<{ expiresAt: Date } | null>;
  /** Deletes one; one the provider no longer has is fine. */
  unsubscribe(id: string): Promise<void>;
}

export interface ProviderAdapter extends ContactReader, ContactWriter {
  readonly provider: ProviderId;
  /** Where the provider can push "something changed" (Graph). */
  readonly notifications?: ChangeNotifications;
  /** A cheap "did anything change since this cursor?" (one request), for providers that cannot
   * push: checked every minute while the user is active, a run only when it says yes. */
  changedSince?(cursor: string): Promise<boolean>;
  /** Maps a contact onto what this provider can represent (e.g. Graph has no e-mail types), so
   * that CRM-side details the provider cannot hold never look like changes. */
  project(contact: Contact): Contact;
}

/** Contacts Tandem syncs from one address book: twice Google's maximum (25,000). A listing that
 * holds more stops the run (AddressBookTooLargeError) before anything of it is written where the
 * provider says so up front (CardDAV), else at the page that goes past it. */
export const MAX_BOOK_CONTACTS = 50_000;

export class AddressBookTooLargeError extends Error {
  constructor() {
    super(LAST_ERROR.bookTooLarge);
    this.name = "AddressBookTooLargeError";
  }
}

export class CursorExpiredError extends Error {
  constructor(message = "The provider no longer accepts the sync cursor") {
    super(message);
    this.name = "CursorExpiredError";
  }
}

/** The provider no longer accepts the page token an interrupted listing was to go on from: the
 * listing starts again (its committed pages replay as no-ops). */
export class ResumeRefusedError extends Error {
  constructor(message = "The provider no longer accepts the page token to resume from") {
    super(message);
    this.name = "ResumeRefusedError";
  }
}

/** The grant was revoked or expired: nothing but the user reconnecting will help. */
export class InvalidGrantError extends Error {
  constructor(message = "The account's authorization was revoked or has expired") {
    super(message);
    this.name = "InvalidGrantError";
  }
}

/** The provider kept refusing (429/5xx) past our retry budget. */
export class ProviderUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProviderUnavailableError";
  }
}
