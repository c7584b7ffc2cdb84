/**
 * One Outlook mailbox's contacts: a default "Contacts" folder plus user
 * folders (flat, children of the default folder, as Outlook.com makes
 * them), contacts in a Map, and one change log per folder so a folder's
 * delta round walks only that folder's changes. Contacts never move between
 * folders (Graph has no move for contacts); deleting a folder deletes its
 * contacts, which then show up as `@removed` in that folder's delta.
 * Every contact change, whatever path made it (Graph, `$batch`, admin,
 * seeds), passes through `touch`, which also tells the change listener
 * (change notifications, subscriptions.ts).
 */
import { randomBytes } from "node:crypto";
import { ChangeLog } from "../shared/change-log";
import type { Clock } from "../shared/clock";
import { randomHex } from "../shared/ids";
import { applyPatch, emptyContactData, renderContact, type ContactData, type ContactPatch, type ContactProperty } from "./contact-model";
import { applyExtended, HAS_PICTURE_PROPERTY, type ExtendedProperty } from "./extended-properties";

export interface StoredPhoto {
  bytes: Buffer;
  contentType: string;
  width: number;
  height: number;
  etag: string;
}

export interface StoredContact {
  id: string;
  folderId: string;
  changeKey: string;
  seq: number;
  createdAt: number;
  modifiedAt: number;
  deleted: boolean;
  data: ContactData;
  photo: StoredPhoto | null;
  /** singleValueExtendedProperties by lower-cased id. */
  extended: Map<string, ExtendedProperty>;
}

export interface StoredFolder {
  id: string;
  displayName: string;
  parentFolderId: string;
  isDefault: boolean;
  deleted: boolean;
}

/** Exchange-style ids: base64url, long, fixed prefix; '=' padding like real ones. */
function itemId(kind: "contact" | "folder"): string {
  const body = randomBytes(kind === "contact" ? 90 : 42).toString("base64url");
  return `AAMkAD${body}${kind === "contact" ? "AAA=" : "AAEOAAA="}`;
}

export const ID_PATTERN = /^AAMkAD[A-Za-z0-9_-]+={0,2}$/;

function newChangeKey(): string {
  return `EQAAABYAAAD${randomBytes(21).toString("base64")}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export type ContactChangeType = "created" | "updated" | "deleted";

export type ContactChangeListener = (mailbox: Mailbox, contact: StoredContact, changeType: ContactChangeType) => void;

export class Mailbox {
  /** The user's id, 16 hex digits like personal Microsoft accounts. */
  readonly userId = randomHex(8);
  readonly rootFolderId = itemId("folder");
  readonly defaultFolder: StoredFolder;
  readonly folders = new Map<string, StoredFolder>();
  readonly contacts = new Map<string, StoredContact>();
  private readonly logs = new Map<string, ChangeLog<string>>();
  private readonly folderMembers = new Map<string, Set<string>>();
  private seqCounter = 0;
  private lastLogTime = 0;

  constructor(
    readonly email: string,
    public name: string,
    private readonly clock: Clock,
    private readonly onChange: ContactChangeListener | null = null,
  ) {
    this.defaultFolder = { id: itemId("folder"), displayName: "Contacts", parentFolderId: this.rootFolderId, isDefault: true, deleted: false };
    this.addFolder(this.defaultFolder);
  }

  private addFolder(folder: StoredFolder): void {
    this.folders.set(folder.id, folder);
    this.logs.set(folder.id, new ChangeLog<string>((seq, id) => this.contacts.get(id)?.seq === seq));
    this.folderMembers.set(folder.id, new Set());
  }

  currentSeq(): number {
    return this.seqCounter;
  }

  get contactCount(): number {
    let n = 0;
    for (const members of this.folderMembers.values()) n += members.size;
    return n;
  }

  /** A live folder by id, or the default folder by its well-known name. */
  folder(idOrName: string): StoredFolder | undefined {
    if (idOrName.toLowerCase() === "contacts") return this.defaultFolder;
    const f = this.folders.get(idOrName);
    return f && !f.deleted ? f : undefined;
  }

  liveFolders(): StoredFolder[] {
    return [...this.folders.values()].filter((f) => !f.deleted);
  }

  folderLog(folderId: string): ChangeLog<string> | undefined {
    return this.logs.get(folderId);
  }

  /** Live contact ids of a folder, in creation order. */
  members(folderId: string): ReadonlySet<string> {
    return this.folderMembers.get(folderId) ?? new Set();
  }

  liveContact(id: string): StoredContact | undefined {
    const c = this.contacts.get(id);
    return c && !c.deleted ? c : undefined;
  }

  private touch(contact: StoredContact, isNew: boolean): void {
    this.seqCounter += 1;
    this.lastLogTime = Math.max(this.lastLogTime, this.clock.now());
    contact.seq = this.seqCounter;
    contact.changeKey = newChangeKey();
    contact.modifiedAt = this.lastLogTime;
    this.logs.get(contact.folderId)?.append(contact.seq, contact.id, this.lastLogTime, !isNew);
    this.onChange?.(this, contact, isNew ? "created" : contact.deleted ? "deleted" : "updated");
  }

  createContact(folderId: string, patch: ContactPatch, extended: readonly { id: string; value: string | null }[] = []): StoredContact {
    const now = this.clock.now();
    let id = itemId("contact");
    while (this.contacts.has(id)) id = itemId("contact");
    const data = emptyContactData();
    applyPatch(data, patch, true);
    const contact: StoredContact = { id, folderId, changeKey: "", seq: 0, createdAt: now, modifiedAt: now, deleted: false, data, photo: null, extended: new Map() };
    applyExtended(contact.extended, extended);
    this.contacts.set(id, contact);
    this.folderMembers.get(folderId)?.add(id);
    this.touch(contact, true);
    return contact;
  }

  updateContact(contact: StoredContact, patch: ContactPatch, extended: readonly { id: string; value: string | null }[] = []): void {
    applyPatch(contact.data, patch, false);
    applyExtended(contact.extended, extended);
    this.touch(contact, false);
  }

  deleteContact(contact: StoredContact): void {
    contact.deleted = true;
    contact.data = emptyContactData();
    contact.photo = null;
    contact.extended.clear();
    this.folderMembers.get(contact.folderId)?.delete(contact.id);
    this.touch(contact, false);
  }

  /** Setting a photo adds an attachment to the item, so its changeKey changes and delta reports it. */
  setPhoto(contact: StoredContact, photo: Omit<StoredPhoto, "etag">): void {
    contact.photo = { ...photo, etag: randomBytes(16).toString("hex") };
    this.touch(contact, false);
  }

  clearPhoto(contact: StoredContact): void {
    contact.photo = null;
    this.touch(contact, false);
  }

  createFolder(displayName: string, parentFolderId: string): StoredFolder {
    const folder: StoredFolder = { id: itemId("folder"), displayName, parentFolderId, isDefault: false, deleted: false };
    this.addFolder(folder);
    return folder;
  }

  folderByName(parentFolderId: string, displayName: string): StoredFolder | undefined {
    const lower = displayName.toLowerCase();
    return this.liveFolders().find((f) => f.parentFolderId === parentFolderId && f.displayName.toLowerCase() === lower);
  }

  deleteFolder(folder: StoredFolder): void {
    for (const child of this.liveFolders().filter((f) => f.parentFolderId === folder.id)) this.deleteFolder(child);
    for (const id of [...this.members(folder.id)]) {
      const c = this.contacts.get(id);
      if (c) this.deleteContact(c);
    }
    folder.deleted = true;
  }

  /** The contact's extended properties as Graph reads them: those clients set, and the ones
   * Exchange keeps itself — PidLidHasPicture is true while the contact has a picture. */
  extendedOf(contact: StoredContact): ReadonlyMap<string, ExtendedProperty> {
    if (!contact.photo) return contact.extended;
    const props = new Map(contact.extended);
    props.set(HAS_PICTURE_PROPERTY.toLowerCase(), { id: HAS_PICTURE_PROPERTY, value: "true" });
    return props;
  }

  /** `expand` picks the extended properties to include (from `$expand`), if any. */
  render(contact: StoredContact, select: readonly ContactProperty[] | null, expand: ((props: ReadonlyMap<string, ExtendedProperty>) => ExtendedProperty[]) | null = null): Record<string, unknown> {
    const out = renderContact(
      { id: contact.id, createdDateTime: iso(contact.createdAt), lastModifiedDateTime: iso(contact.modifiedAt), changeKey: contact.changeKey, parentFolderId: contact.folderId },
      contact.data,
      select,
    );
    if (expand) out["singleValueExtendedProperties"] = expand(this.extendedOf(contact));
    return out;
  }
}
