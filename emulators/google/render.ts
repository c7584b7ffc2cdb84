/** Person JSON for responses: live contacts, tombstones, and the signed-in user's profile (`people/me`). */
import type { GoogleAccount, StoredPerson } from "./account";
import { etagPrefix, newRevision, personEtag } from "./etag";
import type { PersonField } from "./person-fields";
import { projectView } from "./person-view";

export function renderPerson(person: StoredPerson, fields: readonly PersonField[], prefix: Buffer, capped = false): Record<string, unknown> {
  return { resourceName: person.resourceName, etag: personEtag(prefix, person.revision), ...projectView(person.view, fields, capped) };
}

/** What a sync request returns for a deleted contact. */
export function renderTombstone(person: StoredPerson, prefix: Buffer): Record<string, unknown> {
  return {
    resourceName: person.resourceName,
    etag: personEtag(prefix, person.revision),
    metadata: { sources: [{ type: "CONTACT", id: person.sourceId }], objectType: "PERSON", deleted: true },
  };
}

const profileRevision = newRevision();

/** `people/me`: the account's own profile (PROFILE/ACCOUNT sources, read-only). */
export function renderProfile(account: GoogleAccount, fields: readonly PersonField[], defaultPhotoUrl: string): Record<string, unknown> {
  const profileSource = { type: "PROFILE", id: account.sub };
  const [given, ...rest] = account.name.split(" ");
  const family = rest.join(" ");
  const full: Partial<Record<PersonField, unknown>> = {
    metadata: {
      sources: [{ type: "PROFILE", id: account.sub, etag: `#${profileRevision.toString("base64")}`, profileMetadata: { objectType: "PERSON", userTypes: ["GOOGLE_USER"] } }],
      objectType: "PERSON",
    },
    names: [
      {
        metadata: { primary: true, source: profileSource },
        displayName: account.name,
        ...(family ? { familyName: family } : {}),
        ...(given ? { givenName: given } : {}),
        displayNameLastFirst: family ? `${family}, ${given ?? ""}` : account.name,
        unstructuredName: account.name,
      },
    ],
    emailAddresses: [{ metadata: { primary: true, verified: true, source: { type: "ACCOUNT", id: account.sub }, sourcePrimary: true }, value: account.email }],
    photos: [{ metadata: { primary: true, source: profileSource }, url: defaultPhotoUrl, default: true }],
  };
  const out: Record<string, unknown> = { resourceName: `people/${account.sub}`, etag: personEtag(etagPrefix(fields, "read"), profileRevision) };
  for (const f of fields) if (full[f] !== undefined) out[f] = full[f];
  return out;
}
