/**
 * One Google account's address book: contacts in a Map keyed by id, contact
 * groups, group membership sets, and ordered change logs (one sequence
 * counter per account) that listings and sync tokens walk. Every mutation
 * bumps the contact's sequence number, revision (hence etag) and
 * updateTime. Deleted contacts stay as tombstones so syncs can report them.
 */
import { ChangeLog } from "../shared/change-log";
import type { Clock } from "../shared/clock";
import { randomDecimalId, randomDigits, randomHex } from "../shared/ids";
import { failedPrecondition, invalidArgument } from "./errors";
import { groupEtag, newRevision, sourceEtag } from "./etag";
import type { WritableField } from "./person-fields";
import type { NormalizedPerson, PersonData, PersonItem } from "./person-input";
import { buildView, type PersonView } from "./person-view";
import type { PhotoStore } from "./photo-store";

export interface StoredPerson {
  id: string;
  resourceName: string;
  sourceId: string;
  seq: number;
  revision: Buffer;
  createTime: number;
  updateTime: number;
  deleted: boolean;
  data: PersonData;
  primary: Partial<Record<WritableField, number>>;
  photo: { key: string; isDefault: boolean };
  view: PersonView;
}

export interface StoredGroup {
  id: string;
  resourceName: string;
  name: string;
  clientData: { key: string; value: string }[];
  seq: number;
  revision: Buffer;
  updateTime: number;
  deleted: boolean;
}

export interface SystemGroup {
  id: string;
  formattedName: string;
  /** Whether members may be added (only myContacts and starred; the rest are deprecated). */
  addable: boolean;
}

export const SYSTEM_GROUPS: readonly SystemGroup[] = [
  { id: "chatBuddies", formattedName: "Chat contacts", addable: false },
  { id: "all", formattedName: "All Contacts", addable: false },
  { id: "myContacts", formattedName: "My Contacts", addable: true },
  { id: "friends", formattedName: "Friends", addable: false },
  { id: "family", formattedName: "Family", addable: false },
  { id: "coworkers", formattedName: "Coworkers", addable: false },
  { id: "blocked", formattedName: "Blocked", addable: false },
  { id: "starred", formattedName: "Starred", addable: true },
];
const SYSTEM_BY_ID = new Map(SYSTEM_GROUPS.map((g) => [g.id, g]));

export function systemGroup(id: string): SystemGroup | undefined {
  return SYSTEM_BY_ID.get(id);
}

export interface AccountContext {
  clock: Clock;
  photos: PhotoStore;
}

export interface ModifyMembersResult {
  notFoundResourceNames: string[];
  canNotRemoveLastContactGroupResourceNames: string[];
}

const MY_CONTACTS = "contactGroups/myContacts";

function membershipNames(data: PersonData): string[] {
  return (data.memberships ?? []).map((m) => (m["contactGroupMembership"] as { contactGroupResourceName?: string } | undefined)?.contactGroupResourceName ?? "").filter((rn) => rn !== "");
}

function membershipItem(resourceName: string): PersonItem {
  return { contactGroupMembership: { contactGroupResourceName: resourceName } };
}

export class GoogleAccount {
  /** The Google account id (`sub`), 21 digits like real ones. */
  readonly sub = `1${randomDigits(20)}`;
  readonly people = new Map<string, StoredPerson>();
  readonly peopleLog = new ChangeLog<string>((seq, id) => this.people.get(id)?.seq === seq);
  readonly groups = new Map<string, StoredGroup>();
  readonly groupLog = new ChangeLog<string>((seq, id) => this.groups.get(id)?.seq === seq);
  /** Group resource name → ids of live member contacts. */
  private readonly members = new Map<string, Set<string>>();
  private liveCount = 0;
  private seqCounter = 0;
  private lastLogTime = 0;

  constructor(
    readonly email: string,
    public name: string,
    private readonly ctx: AccountContext,
  ) {}

  get contactCount(): number {
    return this.liveCount;
  }

  currentSeq(): number {
    return this.seqCounter;
  }

  private nextSeq(): { seq: number; time: number } {
    this.seqCounter += 1;
    // The change log must be time-ordered even if the wall clock steps back.
    this.lastLogTime = Math.max(this.lastLogTime, this.ctx.clock.now());
    return { seq: this.seqCounter, time: this.lastLogTime };
  }

  memberIds(groupResourceName: string): ReadonlySet<string> {
    if (groupResourceName === "contactGroups/all") return new Set([...this.people.values()].filter((p) => !p.deleted).map((p) => p.id));
    return this.members.get(groupResourceName) ?? new Set();
  }

  memberCount(groupResourceName: string): number {
    if (groupResourceName === "contactGroups/all") return this.liveCount;
    return this.members.get(groupResourceName)?.size ?? 0;
  }

  livePerson(id: string): StoredPerson | undefined {
    const p = this.people.get(id);
    return p && !p.deleted ? p : undefined;
  }

  // ---- contacts -------------------------------------------------------

  /** Checks that memberships name groups that exist and may be added (unless the contact already had them). */
  validateMemberships(names: string[], previous: ReadonlySet<string>): void {
    for (const rn of names) {
      const m = /^contactGroups\/([^/]+)$/.exec(rn);
      const id = m?.[1];
      if (!id) throw invalidArgument(`Invalid contact group resource name: ${rn}`);
      const sys = systemGroup(id);
      if (sys) {
        if (!sys.addable && !previous.has(rn)) throw failedPrecondition(`Cannot add contacts to the deprecated system contact group ${rn}.`);
        continue;
      }
      const g = this.groups.get(id);
      if (!g || g.deleted) throw invalidArgument(`Contact group not found: ${rn}`);
    }
  }

  private setMemberships(person: StoredPerson, next: string[]): void {
    const before = new Set(person.deleted ? [] : membershipNames(person.data));
    const after = new Set(next);
    for (const rn of before) if (!after.has(rn)) this.members.get(rn)?.delete(person.id);
    for (const rn of after) {
      if (before.has(rn)) continue;
      let set = this.members.get(rn);
      if (!set) {
        set = new Set();
        this.members.set(rn, set);
      }
      set.add(person.id);
    }
    if (next.length > 0) person.data.memberships = [...after].map(membershipItem);
    else delete person.data.memberships;
  }

  private touch(person: StoredPerson, isNew: boolean): void {
    const { seq, time } = this.nextSeq();
    person.seq = seq;
    person.revision = newRevision();
    person.updateTime = time;
    person.view = this.render(person);
    this.peopleLog.append(seq, person.id, time, !isNew);
  }

  render(person: StoredPerson): PersonView {
    const photos = this.ctx.photos;
    return buildView({
      sourceId: person.sourceId,
      sourceEtag: sourceEtag(person.revision),
      updateTime: new Date(person.updateTime).toISOString(),
      data: person.data,
      primary: person.primary,
      photo: { url: person.photo.isDefault ? photos.defaultUrl(person.photo.key) : photos.uploadedUrl(person.photo.key), isDefault: person.photo.isDefault },
    });
  }

  private newId(): { id: string; sourceId: string } {
    for (;;) {
      const n = randomDecimalId();
      const id = `c${n}`;
      if (!this.people.has(id)) return { id, sourceId: n.toString(16) };
    }
  }

  /** Creates a contact (memberships already validated); adds the myContacts membership like the real API. */
  createPerson(input: NormalizedPerson): StoredPerson {
    const { id, sourceId } = this.newId();
    const now = this.ctx.clock.now();
    const data: PersonData = { ...input.data };
    const requested = membershipNames(data);
    delete data.memberships;
    const person: StoredPerson = {
      id,
      resourceName: `people/${id}`,
      sourceId,
      seq: 0,
      revision: newRevision(),
      createTime: now,
      updateTime: now,
      deleted: false,
      data,
      primary: input.primary,
      photo: { key: this.ctx.photos.defaultKey(Number.parseInt(sourceId.slice(-7), 16)), isDefault: true },
      view: {},
    };
    this.people.set(id, person);
    this.liveCount += 1;
    this.setMemberships(person, requested.includes(MY_CONTACTS) ? requested : [MY_CONTACTS, ...requested]);
    this.touch(person, true);
    return person;
  }

  /** Replaces the masked fields (clearing those absent from the body). */
  updatePerson(person: StoredPerson, fields: readonly WritableField[], input: NormalizedPerson): void {
    for (const field of fields) {
      if (field === "memberships") continue;
      const items = input.data[field];
      if (items && items.length > 0) person.data[field] = items;
      else delete person.data[field];
      const p = input.primary[field];
      if (p === undefined) delete person.primary[field];
      else person.primary[field] = p;
    }
    if (fields.includes("memberships")) this.setMemberships(person, membershipNames(input.data));
    this.touch(person, false);
  }

  deletePerson(person: StoredPerson): void {
    this.setMemberships(person, []);
    if (!person.photo.isDefault) this.ctx.photos.remove(person.photo.key);
    person.deleted = true;
    person.data = {};
    person.primary = {};
    this.liveCount -= 1;
    this.touch(person, false);
  }

  setPhoto(person: StoredPerson, bytes: Buffer, contentType: string): void {
    if (!person.photo.isDefault) this.ctx.photos.remove(person.photo.key);
    person.photo = { key: this.ctx.photos.put(bytes, contentType), isDefault: false };
    this.touch(person, false);
  }

  clearPhoto(person: StoredPerson): void {
    if (!person.photo.isDefault) this.ctx.photos.remove(person.photo.key);
    person.photo = { key: this.ctx.photos.defaultKey(Number.parseInt(person.sourceId.slice(-7), 16)), isDefault: true };
    this.touch(person, false);
  }

  membershipsOf(person: StoredPerson): string[] {
    return membershipNames(person.data);
  }

  // ---- groups ---------------------------------------------------------

  userGroupByName(name: string): StoredGroup | undefined {
    for (const g of this.groups.values()) if (!g.deleted && g.name === name) return g;
    return undefined;
  }

  private touchGroup(group: StoredGroup, isNew: boolean): void {
    const { seq, time } = this.nextSeq();
    group.seq = seq;
    group.revision = newRevision();
    group.updateTime = time;
    this.groupLog.append(seq, group.id, time, !isNew);
  }

  createGroup(name: string, clientData: { key: string; value: string }[]): StoredGroup {
    let id = randomHex(8);
    while (this.groups.has(id)) id = randomHex(8);
    const group: StoredGroup = { id, resourceName: `contactGroups/${id}`, name, clientData, seq: 0, revision: newRevision(), updateTime: 0, deleted: false };
    this.groups.set(id, group);
    this.touchGroup(group, true);
    return group;
  }

  updateGroup(group: StoredGroup, changes: { name?: string; clientData?: { key: string; value: string }[] }): void {
    if (changes.name !== undefined) group.name = changes.name;
    if (changes.clientData !== undefined) group.clientData = changes.clientData;
    this.touchGroup(group, false);
  }

  /** Deletes a user group; its contacts lose the membership, or are deleted too with deleteContacts. */
  deleteGroup(group: StoredGroup, deleteContacts: boolean): void {
    const ids = [...(this.members.get(group.resourceName) ?? [])];
    for (const id of ids) {
      const person = this.livePerson(id);
      if (!person) continue;
      if (deleteContacts) this.deletePerson(person);
      else {
        this.setMemberships(
          person,
          this.membershipsOf(person).filter((rn) => rn !== group.resourceName),
        );
        this.touch(person, false);
      }
    }
    this.members.delete(group.resourceName);
    group.deleted = true;
    this.touchGroup(group, false);
  }

  modifyMembers(groupResourceName: string, add: string[], remove: string[]): ModifyMembersResult {
    const notFound: string[] = [];
    const cannotRemove: string[] = [];
    const resolve = (rn: string): StoredPerson | undefined => {
      const m = /^people\/(c\d+)$/.exec(rn);
      return m?.[1] ? this.livePerson(m[1]) : undefined;
    };
    for (const rn of add) {
      const person = resolve(rn);
      if (!person) {
        notFound.push(rn);
        continue;
      }
      const current = this.membershipsOf(person);
      if (current.includes(groupResourceName)) continue;
      this.setMemberships(person, [...current, groupResourceName]);
      this.touch(person, false);
    }
    for (const rn of remove) {
      const person = resolve(rn);
      if (!person) {
        notFound.push(rn);
        continue;
      }
      const current = this.membershipsOf(person);
      if (!current.includes(groupResourceName)) continue;
      if (current.length === 1) {
        cannotRemove.push(rn);
        continue;
      }
      this.setMemberships(
        person,
        current.filter((g) => g !== groupResourceName),
      );
      this.touch(person, false);
    }
    return { notFoundResourceNames: notFound, canNotRemoveLastContactGroupResourceNames: cannotRemove };
  }

  groupEtagOf(group: StoredGroup): string {
    return groupEtag(group.revision);
  }
}
