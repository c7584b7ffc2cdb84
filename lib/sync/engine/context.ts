// The state one sync run shares between its phases (pull, deletions, push): the connection, who
// it acts as, the adapter, the run log, and the CRM-side lookups made once per run.
import type { DB } from "@/db/client";
import type { Actor } from "@/db/queries/person-writes";
import type { PersonForSync } from "@/db/queries/sync/persons";
import type { SyncConnection } from "@/db/schema";
import type { PendingCreate } from "@/db/queries/sync/links";
import type { Logger } from "@/lib/logger";
import { normalizeContact, type Contact } from "../model/contact";
import { personToContact, type OrganizationResolver, type SyncFieldIds } from "./crm-side";
import { LeaseLostError, renewLease, type keepLease } from "../jobs/lease";
import type { ProviderAdapter } from "../model/provider";
import { FailureLog } from "./failures";
import { RunLog } from "./run-log";

/** Named points where tests inject a crash. */
export type FaultPoint = "after-page" | "between-transactions" | "before-cursor" | "after-cursor" | "after-provider-write" | "before-finish";

export type CrmLookups = { fieldIds: SyncFieldIds; defaultCountry: string; orgs: OrganizationResolver };

export class Run {
  readonly log: RunLog;
  /** Set once the run has started (runSync). */
  crm!: CrmLookups;
  processed = 0;
  /** The lease kept on a timer for the run's whole length (runSync). */
  lease: ReturnType<typeof keepLease> | null = null;
  /** This connection's pending creates (links whose create a crash cut short), read once per
   * run: the run holds the lease, so only this run adds or adopts them. */
  pendingCreates: PendingCreate[] = [];
  /** The connection has a first-sync preview whose pairs this run applies (link.ts). */
  previewed = false;
  /** The connection had contacts in "Needs attention" when the run began (failures.ts). */
  hadFailures = false;
  /** Links in these states when the run began (none: the run skips reading them). Only this
   * run adds pending creates (it holds the lease); a request to create made during the run is
   * sent by the next one. */
  hadIntents = true;
  hadRequests = true;
  readonly failures: FailureLog;

  constructor(
    readonly id: string,
    readonly db: DB,
    readonly conn: SyncConnection,
    /** The connection acting for its user: every person write is bound by that user's rights. */
    readonly actor: Actor,
    readonly adapter: ProviderAdapter,
    readonly logger: Logger,
    readonly fault: (point: FaultPoint) => void | Promise<void>,
    /** Contacts synced from one address book: a full listing with more stops the run. */
    readonly maxContacts: number,
  ) {
    this.log = new RunLog(conn.id, id);
    this.failures = new FailureLog(conn.id);
  }

  /** A person as this provider would hold it: normalised, then projected. */
  crmContact(p: PersonForSync): Contact {
    return this.adapter.project(normalizeContact(personToContact(p, this.crm.fieldIds), this.crm.defaultCountry));
  }

  /** Between two steps: stop if another worker took the connection over. */
  async heartbeat(): Promise<void> {
    this.lease?.progress();
    if (this.lease?.lost || !(await renewLease(this.db, this.conn.id, this.id))) throw new LeaseLostError();
  }
}
