// How a first sync pairs the group's contacts with the persons the user already has. The
// database finds the candidates (db/queries/sync/persons.ts: a shared e-mail address, a shared
// phone number, or the same full name unique on both sides); this decides, in stages:
//   1. e-mail, 2. phone, 3. name.
// In each stage, a contact and a person that have only each other are paired. Where several
// candidates tie (one contact, two persons with its address; two contacts with one person's
// address), nobody is paired and the contacts wait for the user's choice. A contact or person
// that a stage paired or left tied takes no part in the later stages. So one person pairs with
// at most one contact, and one contact with at most one person. Pure, no I/O.

import { MATCH_STAGES, type MatchBy, type MatchCandidate } from "@/db/queries/sync/persons";

export type Pairing =
  | { decision: "link"; personId: string; by: MatchBy }
  | { decision: "choose"; candidates: string[]; by: MatchBy };

/** The pairing of every contact that has a candidate; a contact left out is created. */
export function pairContacts(candidates: readonly MatchCandidate[]): Map<string, Pairing> {
  const decided = new Map<string, Pairing>();
  const takenPersons = new Set<string>();
  for (const stage of MATCH_STAGES) {
    const personsOf = new Map<string, Set<string>>();
    const contactsOf = new Map<string, Set<string>>();
    for (const c of candidates) {
      if (c.by !== stage || decided.has(c.providerId) || takenPersons.has(c.personId)) continue;
      setOf(personsOf, c.providerId).add(c.personId);
      setOf(contactsOf, c.personId).add(c.providerId);
    }
    for (const [providerId, persons] of personsOf) {
      const [only] = persons;
      if (persons.size === 1 && contactsOf.get(only!)!.size === 1) {
        decided.set(providerId, { decision: "link", personId: only!, by: stage });
      } else {
        decided.set(providerId, { decision: "choose", candidates: [...persons].sort(), by: stage });
      }
    }
    for (const personId of contactsOf.keys()) takenPersons.add(personId);
  }
  return decided;
}

function setOf(map: Map<string, Set<string>>, key: string): Set<string> {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  return set;
}
