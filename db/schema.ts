// The one database schema, shared by PGlite (embedded) and a Postgres server.
// Migrations are generated from it with `npm run db:generate` and committed under db/migrations.
import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
  customType,
} from "drizzle-orm/pg-core";
import type { Locale } from "@/lib/i18n/locales";
import type { Contact, HeldField, ProviderId, RefusalCause } from "./vocabulary";

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => "bytea",
  // PGlite hands back a Uint8Array, postgres.js a Buffer: one type for the app.
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});

const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
};

export const PLANS = ["essential", "advanced", "professional", "power", "enterprise"] as const;
export const planEnum = pgEnum("plan", PLANS);
export type Plan = (typeof PLANS)[number];

/** Who may see (and so edit) a person. Global admins see everything regardless. */
export const VISIBILITIES = ["owner", "group", "group_subgroups", "followers", "company"] as const;
export const visibilityEnum = pgEnum("visibility", VISIBILITIES);
export type Visibility = (typeof VISIBILITIES)[number];

export const CUSTOM_FIELD_TYPES = ["text", "long_text", "date", "address"] as const;
export const customFieldTypeEnum = pgEnum("custom_field_type", CUSTOM_FIELD_TYPES);
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

export const companies = pgTable("companies", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  plan: planEnum("plan").notNull().default("essential"),
  /** ISO 3166 country used to read national phone numbers, e.g. "US". */
  defaultCountry: text("default_country").notNull().default("US"),
  ...timestamps,
});

export const roles = pgTable(
  "roles",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    parentId: uuid("parent_id").references((): AnyPgColumn => roles.id, { onDelete: "set null" }),
    ...timestamps,
  },
  (t) => [unique("roles_company_name_uq").on(t.companyId, t.name), index("roles_parent_idx").on(t.parentId)],
);

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    roleId: uuid("role_id").references(() => roles.id, { onDelete: "set null" }),
    isAdmin: boolean("is_admin").notNull().default(false),
    canAddPersons: boolean("can_add_persons").notNull().default(true),
    canAddOrganizations: boolean("can_add_organizations").notNull().default(true),
    active: boolean("active").notNull().default(true),
    /** The interface's language (Settings > Personal); null: the browser's. */
    locale: text("locale").$type<Locale>(),
    /** The last page or status poll the user made (at most once a minute): a user seen within the
     * hour is active, and their connections are checked for changes every minute. */
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    unique("users_email_uq").on(t.email),
    index("users_company_idx").on(t.companyId),
    index("users_role_idx").on(t.roleId),
  ],
);

/** Failed sign-in bookkeeping, keyed by "email:<address>" or "ip:<address>". */
export const signInThrottle = pgTable("sign_in_throttle", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull().default(0),
  lastFailureAt: timestamp("last_failure_at", { withTimezone: true }).notNull(),
  blockedUntil: timestamp("blocked_until", { withTimezone: true }),
});

export const organizations = pgTable(
  "organizations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    address: text("address"),
    ownerId: uuid("owner_id")
      .notNull()
      .references(() => users.id),
    ...timestamps,
  },
  (t) => [
    index("organizations_company_name_idx").on(t.companyId, sql`lower(${t.name})`),
    index("organizations_owner_idx").on(t.ownerId),
  ],
);

export type LabeledValue = { value: string; label: string };

export const persons = pgTable(
  "persons",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    firstName: text("first_name").notNull().default(""),
    lastName: text("last_name").notNull().default(""),
    emails: jsonb("emails").$type<LabeledValue[]>().notNull().default([]),
    phones: jsonb("phones").$type<LabeledValue[]>().notNull().default([]),
    address: text("address"),
    organizationId: uuid("organization_id").references(() => organizations.id, { onDelete: "set null" }),
    ownerId: uuid("owner_id")
      .notNull()
      .references(() => users.id),
    visibility: visibilityEnum("visibility").notNull().default("company"),
    /** Values of the company's custom fields, keyed by custom field id. */
    customFields: jsonb("custom_fields").$type<Record<string, string>>().notNull().default({}),
    /** Lower-cased name, e-mails and phones: what the persons search matches against. */
    searchText: text("search_text").notNull().default(""),
    /** Bumped on every write: compare-and-set for concurrent editors and the sync engine. */
    version: integer("version").notNull().default(1),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    // The persons list's default order, live persons only: a page is read in index order.
    index("persons_list_name_idx")
      .on(t.companyId, sql`lower(${t.lastName})`, sql`lower(${t.firstName})`, t.id)
      .where(sql`${t.deletedAt} is null`),
    // Search is a substring match (ILIKE '%term%'): a trigram index serves it (pg_trgm).
    index("persons_search_trgm_idx").using("gin", sql`${t.searchText} gin_trgm_ops`),
    // A user's persons, and those created since an instant (two-way: new persons to send).
    index("persons_owner_created_idx").on(t.ownerId, t.createdAt),
    index("persons_org_idx").on(t.organizationId),
  ],
);

export const personFollowers = pgTable(
  "person_followers",
  {
    personId: uuid("person_id")
      .notNull()
      .references(() => persons.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.personId, t.userId] }), index("person_followers_user_idx").on(t.userId)],
);

export const personPictures = pgTable("person_pictures", {
  personId: uuid("person_id")
    .primaryKey()
    .references(() => persons.id, { onDelete: "cascade" }),
  contentType: text("content_type").notNull(),
  data: bytea("data").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export const customFields = pgTable(
  "custom_fields",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    name: text("name").notNull(),
    type: customFieldTypeEnum("type").notNull().default("text"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("custom_fields_company_key_uq").on(t.companyId, t.key)],
);

// ---- Contact sync -------------------------------------------------------------------------

/** A provider family's id (lib/sync/providers/registry.ts). Stored as text, not an enum: a new
 * provider is a folder and a registry line, not a migration. Checked where it enters the app. */
export type Provider = ProviderId;

/** The intervals a user can choose for a connection, in minutes; 0: only on Refresh. */
export const SYNC_INTERVALS = [5, 15, 60, 0] as const;
export type SyncInterval = (typeof SYNC_INTERVALS)[number];

export const DIRECTIONS = ["one_way", "two_way"] as const;
export const directionEnum = pgEnum("sync_direction", DIRECTIONS);
export type Direction = (typeof DIRECTIONS)[number];

/** "preview": set up, waiting for the user to confirm how the group's contacts pair with the
 * persons they already have (sync_preview_contacts) before the first run. */
export const CONNECTION_STATUSES = ["active", "paused", "needs_confirmation", "reconnect_needed", "error", "preview"] as const;
export const connectionStatusEnum = pgEnum("sync_connection_status", CONNECTION_STATUSES);
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/** Where an unfinished listing goes on: the provider's token for the next page, the cursor it
 * started from (null: a full listing), when it started, and what it has counted so far. */
export type ListingResume = { pageToken: string; fromCursor: string | null; startedAt: string; inScopeSeen: number; processed: number };

/** One user's link to one external address book, and where its sync stands. */
export const syncConnections = pgTable(
  "sync_connections",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    provider: text("provider").$type<Provider>().notNull(),
    accountEmail: text("account_email").notNull(),
    /** AES-256-GCM sealed JSON of the OAuth tokens (lib/sync/accounts/secret-box.ts); never plain. */
    tokens: text("tokens"),
    groupId: text("group_id"),
    groupName: text("group_name"),
    direction: directionEnum("direction").notNull().default("one_way"),
    visibility: visibilityEnum("visibility").notNull().default("company"),
    status: connectionStatusEnum("status").notNull().default("active"),
    lastError: text("last_error"),
    /** Google sync token or Graph delta link; null = the next pull is a full listing. */
    cursor: text("cursor"),
    /** Persons of the user created at or after this instant and not linked are new for two-way. */
    pushWatermark: timestamp("push_watermark", { withTimezone: true }).notNull().defaultNow(),
    /** A run holds the connection until this instant (renewed while it works); see lib/sync/jobs/lease.ts. */
    leaseUntil: timestamp("lease_until", { withTimezone: true }),
    leaseOwner: text("lease_owner"),
    /** Minutes between scheduled runs: 5, 15 or 60; 0 runs only when the user presses Refresh;
     * null takes the deployment's SYNC_INTERVAL_MINUTES. */
    syncIntervalMinutes: integer("sync_interval_minutes").$type<SyncInterval>(),
    /** When the background scheduler should next run this connection. */
    nextRunAt: timestamp("next_run_at", { withTimezone: true }).notNull().defaultNow(),
    /** Set by "sync now"; cleared when a worker takes the request. Requests made while a
     * request is waiting coalesce into it. */
    runRequestedAt: timestamp("run_requested_at", { withTimezone: true }),
    /** What asked for the waiting run (manual, change, notification, check); null: Refresh. A
     * request may lie ahead (a CRM edit waits ~2 s for the rest of its burst). */
    runRequestReason: text("run_request_reason").$type<RequestReason>(),
    /** While the user is active, the next cheap "anything changed?" check (lib/sync/jobs/checks.ts). */
    nextCheckAt: timestamp("next_check_at", { withTimezone: true }),
    lastRunAt: timestamp("last_run_at", { withTimezone: true }),
    lastSuccessAt: timestamp("last_success_at", { withTimezone: true }),
    /** A listing under way, committed page by page: where it goes on after an interruption
     * (lib/sync/engine/pull.ts). Null when no listing is unfinished. */
    resume: jsonb("resume").$type<ListingResume>(),
    /** A new group was chosen while the grant lacked write access: once the user allows it, the
     * group's first sync is prepared (previewed) before it runs (lib/sync/accounts/manage.ts). */
    firstSyncAwaitsGrant: boolean("first_sync_awaits_grant").notNull().default(false),
    /** Links to contacts the provider holds ("in sync" on the dashboard): kept by triggers on
     * sync_links (migration 0010), so no view counts 25,000 links. */
    linkedCount: integer("linked_count").notNull().default(0),
    /** The photo requests made since photo_window_started_at, for providers that limit an
     * account's requests per window (Graph: 10,000 per 10 minutes a mailbox); see
     * lib/sync/engine/photos.ts. */
    photoWindowStartedAt: timestamp("photo_window_started_at", { withTimezone: true }),
    photoWindowRequests: integer("photo_window_requests").notNull().default(0),
    ...timestamps,
  },
  (t) => [
    unique("sync_connections_user_account_uq").on(t.userId, t.provider, t.accountEmail),
    index("sync_connections_company_idx").on(t.companyId),
    index("sync_connections_due_idx").on(t.nextRunAt),
    // With the one above, the scheduler's claim (requested, due or leased) is a BitmapOr of
    // three small index scans instead of a read of every connection (lib/sync/jobs/scheduler.ts).
    index("sync_connections_requested_idx").on(t.runRequestedAt).where(sql`${t.runRequestedAt} is not null`),
    index("sync_connections_leased_idx").on(t.leaseUntil).where(sql`${t.leaseOwner} is not null`),
    index("sync_connections_check_idx").on(t.nextCheckAt).where(sql`${t.nextCheckAt} is not null`),
  ],
);

export const REQUEST_REASONS = ["manual", "change", "notification", "check"] as const;
export type RequestReason = (typeof REQUEST_REASONS)[number];

/** A provider's push channel for a connection (Graph change notifications): one per connection.
 * The client state is kept only as its SHA-256, which is all a notification's check needs. */
export const syncSubscriptions = pgTable(
  "sync_subscriptions",
  {
    connectionId: uuid("connection_id")
      .primaryKey()
      .references(() => syncConnections.id, { onDelete: "cascade" }),
    subscriptionId: text("subscription_id").notNull(),
    clientStateHash: text("client_state_hash").notNull(),
    /** As the provider answered it, not as asked. */
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    renewedAt: timestamp("renewed_at", { withTimezone: true }),
  },
  (t) => [unique("sync_subscriptions_subscription_uq").on(t.subscriptionId), index("sync_subscriptions_expiry_idx").on(t.expiresAt)],
);
export type SyncSubscription = typeof syncSubscriptions.$inferSelect;

/** Where a link stands (db/queries/sync/links.ts):
 * - linked:         the person is linked to a contact the provider holds (provider_id);
 * - pending_create: a create at the provider is under way (recorded before the call, adopted
 *                   after a crash: lib/sync/engine/adopt.ts);
 * - unconfirmed:    a create a crash cut short that the provider does not show: it may never have
 *                   happened, or been deleted there since; the user decides (create it again, or
 *                   leave it out of sync); nothing is created again silently;
 * - to_create:      the user asked for the person to be (re)created at the provider (an answer to
 *                   the above, or a restored deletion). */
export const LINK_STATES = ["linked", "pending_create", "unconfirmed", "to_create"] as const;
export const linkStateEnum = pgEnum("sync_link_state", LINK_STATES);
export type LinkState = (typeof LINK_STATES)[number];

/** Why a linked contact is gone at the provider, as a committed page of the listing said. */
export const GONE_REASONS = ["deleted_at_provider", "left_group"] as const;
export type GoneReason = (typeof GONE_REASONS)[number];

/** A provider contact linked to a person: the bijection that keeps sync free of duplicates. */
export const syncLinks = pgTable(
  "sync_links",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    connectionId: uuid("connection_id")
      .notNull()
      .references(() => syncConnections.id, { onDelete: "cascade" }),
    personId: uuid("person_id")
      .notNull()
      .references(() => persons.id, { onDelete: "cascade" }),
    state: linkStateEnum("state").notNull().default("linked"),
    /** The provider's id of the contact: set exactly when the link is "linked". */
    providerId: text("provider_id"),
    etag: text("etag"),
    /** The normalised contact both sides last agreed on (three-way merge base); for a create, the
     * contact being sent; null only for "to_create". */
    base: jsonb("base").$type<Contact>(),
    /** persons.version when the CRM side last matched `base`; null: the CRM holds values the
     * provider lacks, which the push sends. */
    crmVersion: integer("crm_version"),
    /** The person was written since this link last matched it (every person write sets it:
     * db/queries/person-writes.ts), or the link waits to be sent: two-way finds what to send
     * through an index on this, not by reading every link (cleared once they match again). */
    crmChanged: boolean("crm_changed").notNull().default(false),
    /** When the full listing that last saw this contact started: a full listing interrupted and
     * resumed still knows which linked contacts it has seen, and so which are gone. */
    listedAt: timestamp("listed_at", { withTimezone: true }),
    /** The contact is gone at the provider, seen in a page already committed: the deletion is
     * settled when the listing ends, even one interrupted and resumed in between. */
    gone: text("gone").$type<GoneReason>(),
    /** The provider's photo still to fetch for this person (null: none to fetch). Photos are
     * fetched after the run, by syncPhotos, from this durable backlog. */
    photoUrl: text("photo_url"),
    ...timestamps,
  },
  (t) => [
    unique("sync_links_provider_uq").on(t.connectionId, t.providerId),
    unique("sync_links_person_uq").on(t.connectionId, t.personId),
    index("sync_links_person_idx").on(t.personId),
    // Links that are no provider contact yet: found without reading every link of a
    // 25,000-contact connection.
    index("sync_links_unlinked_idx").on(t.connectionId, t.state).where(sql`${t.state} <> 'linked'`),
    index("sync_links_photo_idx").on(t.connectionId).where(sql`${t.photoUrl} is not null`),
    index("sync_links_gone_idx").on(t.connectionId).where(sql`${t.gone} is not null`),
    index("sync_links_crm_changed_idx").on(t.connectionId).where(sql`${t.crmChanged}`),
    check("sync_links_provider_id_ck", sql`(${t.state} = 'linked') = (${t.providerId} is not null)`),
    check("sync_links_base_ck", sql`${t.base} is not null or ${t.state} = 'to_create'`),
  ],
);

/** "resume": a run that takes over from one that was interrupted (its worker died). */
/** Why a run started: its first; the interval; Refresh; the command line; resuming one a dead
 * worker left; a CRM edit of a linked or new person (debounced); the provider telling us of a
 * change (Graph change notifications); a cheap check between runs that saw a change. */
export const RUN_TRIGGERS = ["initial", "scheduled", "manual", "cli", "resume", "change", "notification", "check"] as const;
export const runTriggerEnum = pgEnum("sync_run_trigger", RUN_TRIGGERS);
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

/** An OAuth authorization in flight: single use, expiring, bound to the user who started it.
 * The PKCE verifier stays here (sealed), never in the browser. */
export const oauthStates = pgTable("oauth_states", {
  id: uuid("id").primaryKey().defaultRandom(),
  userId: uuid("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  provider: text("provider").$type<Provider>().notNull(),
  accountEmail: text("account_email").notNull(),
  direction: directionEnum("direction").notNull().default("one_way"),
  /** The connection being reconnected or upgraded, if any. */
  connectionId: uuid("connection_id"),
  codeVerifier: text("code_verifier").notNull(),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  usedAt: timestamp("used_at", { withTimezone: true }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/** "interrupted": the worker stopped (killed, crashed machine) before the run finished; the next
 * run resumes its work. */
export const RUN_OUTCOMES = ["running", "succeeded", "held", "failed", "reconnect_needed", "interrupted"] as const;
export const runOutcomeEnum = pgEnum("sync_run_outcome", RUN_OUTCOMES);
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

export type RunCounts = {
  crmAdded: number;
  crmUpdated: number;
  crmDeleted: number;
  providerAdded: number;
  providerUpdated: number;
  providerDeleted: number;
  conflicts: number;
  errors: number;
  heldDeletions: number;
  /** Persons left alone: their user may no longer change them. */
  skipped: number;
  /** First sync: contacts paired with persons the user already had. */
  crmLinked: number;
};

export const syncRuns = pgTable(
  "sync_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    connectionId: uuid("connection_id")
      .notNull()
      .references(() => syncConnections.id, { onDelete: "cascade" }),
    trigger: runTriggerEnum("trigger").notNull(),
    outcome: runOutcomeEnum("outcome").notNull().default("running"),
    fullSync: boolean("full_sync").notNull().default(false),
    counts: jsonb("counts").$type<RunCounts>().notNull(),
    processed: integer("processed").notNull().default(0),
    total: integer("total"),
    error: text("error"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("sync_runs_connection_idx").on(t.connectionId, t.startedAt)],
);

/** "skipped": the run left a person alone because its user may not change it. "linked": a contact
 * of the first sync paired with a person the user already had (and merged into it). */
export const EVENT_KINDS = ["added", "updated", "deleted", "conflict", "error", "held_deletion", "restored", "skipped", "linked"] as const;
export const eventKindEnum = pgEnum("sync_event_kind", EVENT_KINDS);
export type EventKind = (typeof EVENT_KINDS)[number];

export const SIDES = ["crm", "provider"] as const;
export const sideEnum = pgEnum("sync_side", SIDES);
export type Side = (typeof SIDES)[number];

export type FieldChange = { field: string; old: unknown; new: unknown };

/** What happened to one contact in one run, on which side: the dashboard and person history. */
export const syncEvents = pgTable(
  "sync_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    connectionId: uuid("connection_id")
      .notNull()
      .references(() => syncConnections.id, { onDelete: "cascade" }),
    runId: uuid("run_id").references(() => syncRuns.id, { onDelete: "set null" }),
    personId: uuid("person_id").references(() => persons.id, { onDelete: "set null" }),
    providerId: text("provider_id"),
    kind: eventKindEnum("kind").notNull(),
    /** The side that was written (for conflicts: the side whose value lost). */
    side: sideEnum("side").notNull(),
    /** "First Last" at the time, so the event reads well after the person is gone. */
    label: text("label").notNull().default(""),
    changes: jsonb("changes").$type<FieldChange[]>().notNull().default([]),
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default({}),
    /** For held deletions: set when the user confirmed or rejected them. */
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("sync_events_connection_idx").on(t.connectionId, t.createdAt),
    index("sync_events_kind_idx").on(t.connectionId, t.kind, t.createdAt),
    index("sync_events_person_idx").on(t.personId, t.createdAt),
  ],
);

/** Added, updated and deleted contacts per connection and UTC day: the dashboard's chart, kept
 * in step with sync_events by the code that writes them (lib/sync/engine/run-log.ts recordEvents), so
 * the chart reads 14 rows instead of counting every event. */
export const syncActivityDays = pgTable(
  "sync_activity_days",
  {
    connectionId: uuid("connection_id")
      .notNull()
      .references(() => syncConnections.id, { onDelete: "cascade" }),
    day: date("day", { mode: "string" }).notNull(),
    added: integer("added").notNull().default(0),
    updated: integer("updated").notNull().default(0),
    deleted: integer("deleted").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.day] })],
);

export const PREVIEW_DECISIONS = ["link", "create", "choose"] as const;
export type PreviewDecision = (typeof PREVIEW_DECISIONS)[number];

/** A first sync's preview: the group's contacts as the provider listed them, each with what the
 * first run will do — link it to a person the user already has (and merge), create a person,
 * or wait for the user to choose among tied candidates. Gone once the first run has used it. */
export const syncPreviewContacts = pgTable(
  "sync_preview_contacts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    connectionId: uuid("connection_id")
      .notNull()
      .references(() => syncConnections.id, { onDelete: "cascade" }),
    providerId: text("provider_id").notNull(),
    /** Normalised and projected, as a pull delivers it. */
    contact: jsonb("contact").notNull(),
    /** "First Last", else the first e-mail or phone: how the preview lists it. */
    label: text("label").notNull(),
    decision: text("decision").$type<PreviewDecision>().notNull(),
    /** The person to link (decision "link"). */
    personId: uuid("person_id").references(() => persons.id, { onDelete: "set null" }),
    /** Tied persons to choose from (decision "choose"), and what matched: email, phone or name. */
    candidates: jsonb("candidates").$type<string[]>().notNull().default([]),
    matchedBy: text("matched_by"),
  },
  (t) => [
    unique("sync_preview_contacts_uq").on(t.connectionId, t.providerId),
    index("sync_preview_contacts_order_idx").on(t.connectionId, t.decision, t.label),
    // One person pairs with at most one contact.
    uniqueIndex("sync_preview_contacts_link_uq").on(t.connectionId, t.personId).where(sql`decision = 'link'`),
  ],
);

/** A write the provider refused (create, update, delete), a contact that could not be read, or
 * one read without fields longer than Tandem syncs ("oversize"). */
export const FAILURE_OPERATIONS = ["create", "update", "delete", "read", "oversize"] as const;
export type FailureOperation = (typeof FAILURE_OPERATIONS)[number];

/** A contact that failed to sync and is waiting: a write the provider refused (create, update,
 * delete of a person), or a contact the provider sent that could not be read. One row per person
 * (writes) or per contact (reads) and connection; the dashboard's "Needs attention" lists them.
 * Writes are retried by later runs with backoff (lib/sync/engine/failures.ts) until `retryAt`
 * is null (stopped after the limit), or at once when the person was edited since the attempt. */
export const syncFailures = pgTable(
  "sync_failures",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    connectionId: uuid("connection_id")
      .notNull()
      .references(() => syncConnections.id, { onDelete: "cascade" }),
    personId: uuid("person_id").references(() => persons.id, { onDelete: "cascade" }),
    providerId: text("provider_id"),
    operation: text("operation").$type<FailureOperation>().notNull(),
    /** "First Last" as it was sent (or read), so the row reads well on its own. */
    label: text("label").notNull().default(""),
    /** The provider's reason, as it gave it… */
    reason: text("reason").notNull(),
    /** …and what its answer tells of why (./vocabulary.ts RefusalCause), when it does. */
    cause: text("cause").$type<RefusalCause>(),
    attempts: integer("attempts").notNull().default(1),
    /** The person's version the last attempt sent: an edit since makes the failure due at once. */
    personVersion: integer("person_version"),
    firstFailedAt: timestamp("first_failed_at", { withTimezone: true }).notNull().defaultNow(),
    lastFailedAt: timestamp("last_failed_at", { withTimezone: true }).notNull().defaultNow(),
    /** When a run tries it again; null: not retried by itself (stopped after the limit, or a read). */
    retryAt: timestamp("retry_at", { withTimezone: true }),
    /** "oversize": the fields left out, with their lengths and limits. */
    heldFields: jsonb("held_fields").$type<HeldField[]>(),
  },
  (t) => [
    // The run's "any failures?" and the dashboard's list, newest first.
    index("sync_failures_connection_idx").on(t.connectionId, t.lastFailedAt),
    uniqueIndex("sync_failures_person_uq").on(t.connectionId, t.personId).where(sql`person_id is not null`),
    uniqueIndex("sync_failures_contact_uq").on(t.connectionId, t.providerId).where(sql`operation = 'read'`),
    uniqueIndex("sync_failures_oversize_uq").on(t.connectionId, t.providerId).where(sql`operation = 'oversize'`),
  ],
);

export type Company = typeof companies.$inferSelect;
export type Role = typeof roles.$inferSelect;
export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type Organization = typeof organizations.$inferSelect;
export type Person = typeof persons.$inferSelect;
export type NewPerson = typeof persons.$inferInsert;
export type CustomField = typeof customFields.$inferSelect;
export type SyncConnection = typeof syncConnections.$inferSelect;
export type SyncLink = typeof syncLinks.$inferSelect;
export type SyncRun = typeof syncRuns.$inferSelect;
export type SyncEvent = typeof syncEvents.$inferSelect;
export type SyncFailure = typeof syncFailures.$inferSelect;
