// The demo company: users that exercise roles, permissions and every visibility level, and
// persons spread across them. Seeded by `npm run db:seed`, and on the first start of an empty
// embedded database — both only in demo mode: its users share a published password.
import { count } from "drizzle-orm";
import type { DB } from "./client";
import { companies, organizations, personFollowers, persons, roles, users, type Visibility } from "./schema";
import { DEMO_PASSWORD, hashPassword } from "@/lib/password";
import { personSearchText } from "@/lib/persons/input";

export const DEMO_USERS = {
  admin: { email: "admin@acme.test", name: "Ada Admin" },
  manager: { email: "manager@acme.test", name: "Morgan Manager" },
  east: { email: "east@acme.test", name: "Erin East" },
  west: { email: "west@acme.test", name: "Wes West" },
  support: { email: "support@acme.test", name: "Sam Support" },
} as const;
export type DemoUserKey = keyof typeof DEMO_USERS;

const FIRST = ["Olivia", "Liam", "Emma", "Noah", "Amelia", "Oliver", "Sophia", "Elijah", "Mia", "Lucas", "Harper", "Mateo", "Zoë", "José", "Chloé", "Björn"];
const LAST = ["Smith", "Johnson", "García", "Müller", "Rossi", "Nakamura", "Kowalski", "Dubois", "Silva", "Andersson", "O'Brien", "Novak"];
const ORGS = [
  { name: "Globex Corporation", address: "1 Globex Way, Springfield" },
  { name: "Initech", address: "4120 Freidrich Ln, Austin, TX" },
  { name: "Umbrella Health", address: "22 Raccoon St, Denver, CO" },
  { name: "Stark Industries", address: "10880 Malibu Point, Malibu, CA" },
  { name: "Wayne Enterprises", address: "1007 Mountain Dr, Gotham" },
];

export type SeededDemo = {
  companyId: string;
  users: Record<DemoUserKey, string>;
  roles: { manager: string; east: string; west: string; support: string };
};

export async function seedDemoIfEmpty(db: DB): Promise<SeededDemo | null> {
  const [row] = await db.select({ n: count() }).from(companies);
  if ((row?.n ?? 0) > 0) return null;
  return seedDemo(db);
}

export async function seedDemo(db: DB): Promise<SeededDemo> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  return db.transaction(async (tx) => {
    const [company] = await tx
      .insert(companies)
      .values({ name: "Acme Demo", plan: "professional", defaultCountry: "US" })
      .returning({ id: companies.id });
    if (!company) throw new Error("seed: no company");
    const companyId = company.id;

    const insertRole = async (name: string, parentId: string | null) => {
      const [r] = await tx.insert(roles).values({ companyId, name, parentId }).returning({ id: roles.id });
      if (!r) throw new Error("seed: no role");
      return r.id;
    };
    const manager = await insertRole("Sales Manager", null);
    const east = await insertRole("Sales East", manager);
    const west = await insertRole("Sales West", manager);
    const support = await insertRole("Support", null);

    const insertUser = async (key: DemoUserKey, roleId: string | null, extra: Partial<typeof users.$inferInsert> = {}) => {
      const [u] = await tx
        .insert(users)
        .values({ companyId, ...DEMO_USERS[key], passwordHash, roleId, ...extra })
        .returning({ id: users.id });
      if (!u) throw new Error("seed: no user");
      return u.id;
    };
    const ids: Record<DemoUserKey, string> = {
      admin: await insertUser("admin", null, { isAdmin: true }),
      manager: await insertUser("manager", manager),
      east: await insertUser("east", east),
      west: await insertUser("west", west),
      support: await insertUser("support", support, { canAddPersons: false }),
    };

    const orgIds: string[] = [];
    for (const [i, org] of ORGS.entries()) {
      const owner = [ids.admin, ids.manager, ids.east, ids.west][i % 4]!;
      const [o] = await tx
        .insert(organizations)
        .values({ companyId, ...org, ownerId: owner })
        .returning({ id: organizations.id });
      if (o) orgIds.push(o.id);
    }

    // Every owner gets persons at every visibility level, so each demo login sees a different list.
    const owners = [ids.admin, ids.manager, ids.east, ids.west, ids.support];
    const levels: Visibility[] = ["owner", "group", "group_subgroups", "followers", "company"];
    const values: (typeof persons.$inferInsert)[] = [];
    let n = 0;
    for (const ownerId of owners) {
      for (const visibility of levels) {
        for (let k = 0; k < 2; k++, n++) {
          const firstName = FIRST[n % FIRST.length]!;
          const lastName = LAST[(n * 7) % LAST.length]!;
          const local = `${firstName}.${lastName}.${n}`.normalize("NFD").replace(/[^A-Za-z0-9.]/g, "").toLowerCase();
          const emails = [{ value: `${local}@example.com`, label: "work" }];
          const phones = n % 3 === 0 ? [] : [{ value: `+1415555${String(1000 + n).padStart(4, "0")}`, label: "mobile" }];
          values.push({
            companyId,
            firstName,
            lastName,
            emails,
            phones,
            address: n % 4 === 0 ? `${100 + n} Market St, San Francisco, CA` : null,
            organizationId: n % 2 === 0 ? orgIds[n % orgIds.length] ?? null : null,
            ownerId,
            visibility,
            searchText: personSearchText({ firstName, lastName, emails, phones }),
          });
        }
      }
    }
    const inserted = await tx.insert(persons).values(values).returning({ id: persons.id, visibility: persons.visibility });
    // The support user follows one "owner & followers" person of each other owner.
    const followed = inserted.filter((p, i) => p.visibility === "followers" && i % 2 === 0);
    if (followed.length > 0) {
      await tx.insert(personFollowers).values(followed.map((p) => ({ personId: p.id, userId: ids.support })));
    }
    return { companyId, users: ids, roles: { manager, east, west, support } };
  });
}
