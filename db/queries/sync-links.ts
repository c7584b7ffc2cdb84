// Links that stand for a contact the provider does not hold (yet): their provider id is a
// placeholder made of a state and the person's id.
// - pending:     a create at the provider is under way (recorded before the call, adopted after
//                a crash: lib/sync/engine/adopt.ts);
// - unconfirmed: a create a crash cut short that the provider does not show: it may never have
//                happened, or been deleted there since. The user decides (create it again, or
//                leave it out of sync); nothing is created again silently;
// - tocreate:    the user asked for the person to be (re)created at the provider (an answer to
//                the above, or a restored deletion).
import { sql } from "drizzle-orm";
import { syncLinks } from "../schema";

export const PLACEHOLDER = { pending: "pending:", unconfirmed: "unconfirmed:", toCreate: "tocreate:" } as const;
export type PlaceholderState = keyof typeof PLACEHOLDER;

export const placeholderId = (state: PlaceholderState, personId: string) => `${PLACEHOLDER[state]}${personId}`;

export const inState = (state: PlaceholderState) => sql`${syncLinks.providerId} like ${`${PLACEHOLDER[state]}%`}`;

/** A link to a contact the provider holds. (The same test counts sync_connections.linked_count,
 * in the triggers of migration 0010.) */
export const isRealLink = sql`${syncLinks.providerId} !~ '^(pending|unconfirmed|tocreate):'`;
