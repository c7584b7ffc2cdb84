import { asc, eq } from "drizzle-orm";
import type { DB } from "../client";
import { customFields, type CustomField } from "../schema";
import type { Viewer } from "./visibility";

export async function listCustomFields(db: DB, viewer: Viewer): Promise<CustomField[]> {
  return db
    .select()
    .from(customFields)
    .where(eq(customFields.companyId, viewer.companyId))
    .orderBy(asc(customFields.createdAt), asc(customFields.name));
}
