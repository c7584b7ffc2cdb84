// The one database schema, shared by PGlite (embedded) and a Postgres server.
// Migrations are generated from it with `npm run db:generate` and committed under db/migrations.
import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
  customType,
} from "drizzle-orm/pg-core";

const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType: () => "bytea",
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
    index("persons_company_name_idx").on(t.companyId, t.lastName, t.firstName),
    index("persons_owner_idx").on(t.ownerId),
    index("persons_org_idx").on(t.organizationId),
    check("persons_has_name", sql`length(${t.firstName}) + length(${t.lastName}) > 0`),
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

export type Company = typeof companies.$inferSelect;
export type Role = typeof roles.$inferSelect;
export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type Organization = typeof organizations.$inferSelect;
export type Person = typeof persons.$inferSelect;
export type NewPerson = typeof persons.$inferInsert;
export type CustomField = typeof customFields.$inferSelect;
