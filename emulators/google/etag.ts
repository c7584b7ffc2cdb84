/**
 * Person and group etags. A person's etag encodes the field mask it was read
 * with plus the contact's revision, so (as on the real API) the same contact
 * has different etags under different masks, and any of them is accepted by
 * updateContact as long as the revision is current. Strict mode additionally
 * rejects etags that came from a list call, to exercise refetch-and-retry.
 */
import { randomBytes } from "node:crypto";
import { FIELD_INDEX, type PersonField } from "./person-fields";

export const REVISION_BYTES = 8;

export function newRevision(): Buffer {
  return randomBytes(REVISION_BYTES);
}

export type EtagOrigin = "read" | "list";

/** The per-request prefix: fields of the mask and where the etag was handed out. */
export function etagPrefix(fields: readonly PersonField[], origin: EtagOrigin): Buffer {
  const indexes = fields.map((f) => FIELD_INDEX.get(f) ?? 0).sort((a, b) => a - b);
  return Buffer.from([0x12, indexes.length, ...indexes, origin === "list" ? 1 : 0]);
}

export function personEtag(prefix: Buffer, revision: Buffer): string {
  return `%${Buffer.concat([prefix, revision]).toString("base64")}`;
}

export function sourceEtag(revision: Buffer): string {
  return `#${revision.toString("base64")}`;
}

export interface DecodedEtag {
  revision: Buffer;
  origin: EtagOrigin | "source";
}

export function decodeEtag(etag: string): DecodedEtag | null {
  if (etag.startsWith("#")) {
    const revision = Buffer.from(etag.slice(1), "base64");
    return revision.length === REVISION_BYTES ? { revision, origin: "source" } : null;
  }
  if (!etag.startsWith("%")) return null;
  const raw = Buffer.from(etag.slice(1), "base64");
  if (raw.length < REVISION_BYTES + 3 || raw[0] !== 0x12) return null;
  const flag = raw[raw.length - REVISION_BYTES - 1];
  return { revision: raw.subarray(raw.length - REVISION_BYTES), origin: flag === 1 ? "list" : "read" };
}

export function groupEtag(revision: Buffer): string {
  return revision.toString("base64");
}
