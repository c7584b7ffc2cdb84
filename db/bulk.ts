// Many rows in one statement with one JSON parameter: Postgres expands the rows
// (json_populate_recordset) and columns left out take their defaults. A multi-row VALUES list
// costs drizzle ~40 µs of CPU per row to build, more than the insert itself; a 25,000-contact
// sync writes its pages this way.
import { getTableColumns, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { DB, Tx } from "./client";

export async function insertMany<T extends PgTable>(db: DB | Tx, table: T, rows: T["$inferInsert"][]): Promise<void> {
  const columns = Object.entries(getTableColumns(table)) as [string, { name: string }][];
  // Rows that leave the same columns out (to their defaults) go together: usually all of them.
  const groups = new Map<string, Record<string, unknown>[]>();
  for (const row of rows as Record<string, unknown>[]) {
    const key = columns.map(([k]) => (row[k] === undefined ? "0" : "1")).join("");
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  for (const [key, group] of groups) {
    const used = columns.filter((_, i) => key[i] === "1");
    const names = sql.raw(used.map(([, c]) => `"${c.name}"`).join(", "));
    const json = JSON.stringify(group.map((r) => Object.fromEntries(used.map(([k, c]) => [c.name, r[k]]))));
    await db.execute(sql`insert into ${table} (${names}) select ${names} from json_populate_recordset(null::${table}, ${json}::json)`);
  }
}
