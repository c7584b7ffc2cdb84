/**
 * A demo address book at a real CardDAV server: "Friends", twelve vCard 3.0 cards written by
 * hand the way phones write them (Apple's item groups with X-ABLabel, X-SOCIALPROFILE, a
 * year-less birthday both as Apple's X-APPLE-OMIT-YEAR and as `--MMDD`, a folded note,
 * escaped commas and semicolons, non-ASCII names, a company card). Sent verbatim with PUT:
 * Radicale re-serializes them, Xandikos keeps them as sent.
 */
import type { DavServer } from "./server";

export const DEMO_BOOK_NAME = "Friends";

const CARDS: Record<string, string> = {
  "3b9f2c1e-7a4d-4f0e-9c21-5d8e6a1b0c01": `BEGIN:VCARD
VERSION:3.0
PRODID:-//Apple Inc.//iPhone OS 17.5.1//EN
N:Rodriguez;Abigail;Marie;;
FN:Abigail Rodriguez
ORG:Northwind Traders;Platform Engineering
TITLE:Senior Software Engineer
item1.EMAIL;type=INTERNET;type=pref:abigail52@outlook.com
item2.EMAIL;type=INTERNET:abby@climbing-collective.org
item2.X-ABLabel:Climbing club
TEL;type=CELL;type=VOICE;type=pref:+1 (415) 555-0142
TEL;type=WORK;type=VOICE:+1 (415) 555-0187
item3.ADR;type=HOME;type=pref:;;2150 Divisadero St;San Francisco;CA;94115;United States
item3.X-ABADR:us
BDAY;X-APPLE-OMIT-YEAR=1604:1604-04-15
X-SOCIALPROFILE;type=linkedin;x-user=abigailrodriguez:https://www.linkedin.com/in/abigailrodriguez
NOTE:Met at the CRM fair in Oakland. Prefers texts over calls.
UID:3b9f2c1e-7a4d-4f0e-9c21-5d8e6a1b0c01
END:VCARD`,
  "8c41d7a2-0f63-4b9e-a1d5-2e7f9b3c4d02": `BEGIN:VCARD
VERSION:3.0
PRODID:-//Apple Inc.//iPhone OS 17.5.1//EN
N:Chen;Marcus;;;
FN:Marcus Chen
EMAIL;type=INTERNET;type=HOME;type=pref:marcus.chen@gmail.com
TEL;type=CELL;type=VOICE;type=pref:+1 (510) 555-0119
ADR;type=WORK:;Suite 400;1 Market St;San Francisco;CA;94105;United States
ORG:Lumen Analytics
TITLE:Data Scientist
NOTE:Climbing on Thursdays at Mission Cliffs.\\nOwes me a copy of "Thinking\\, Fast and Slow".
UID:8c41d7a2-0f63-4b9e-a1d5-2e7f9b3c4d02
END:VCARD`,
  "f2a6b8c0-4d1e-4c7a-8b3f-6a9d0e1f2a03": `BEGIN:VCARD
VERSION:3.0
N:Natarajan;Priya;;;
FN:Priya Natarajan
EMAIL;TYPE=INTERNET,WORK:priya.natarajan@stripe.com
EMAIL;TYPE=INTERNET,HOME:priya.n@gmail.com
TEL;TYPE=CELL:+1 206 555 0163
ORG:Stripe
TITLE:Product Manager\\, Payments
BDAY:1990-11-02
UID:f2a6b8c0-4d1e-4c7a-8b3f-6a9d0e1f2a03
END:VCARD`,
  "0d7e3f1a-9b2c-4e8d-b5a6-7c1f2e3d4b04": `BEGIN:VCARD
VERSION:3.0
PRODID:-//Apple Inc.//iPhone OS 17.5.1//EN
N:Müller;Zoë;;;
FN:Zoë Müller
EMAIL;type=INTERNET;type=HOME;type=pref:zoe.mueller@posteo.de
TEL;type=CELL;type=VOICE;type=pref:+49 151 55501234
item1.ADR;type=HOME;type=pref:;;Oranienstraße 25;Berlin;;10999;Germany
item1.X-ABADR:de
BDAY:1987-06-30
UID:0d7e3f1a-9b2c-4e8d-b5a6-7c1f2e3d4b04
END:VCARD`,
  "5e8a9b0c-1d2f-4a3b-9c4d-8e5f6a7b8c05": `BEGIN:VCARD
VERSION:3.0
N:Álvarez;José;Luis;;
FN:José Luis Álvarez
EMAIL;TYPE=INTERNET:jose.alvarez@yahoo.com
TEL;TYPE=CELL:+1 (305) 555-0128
IMPP;X-SERVICE-TYPE=Jabber;type=HOME;type=pref:xmpp:jose.alvarez@jabber.org
BDAY:1988-09-23
NOTE:Cousin of Marcus. Lives in Miami\\; visits every December.
UID:5e8a9b0c-1d2f-4a3b-9c4d-8e5f6a7b8c05
END:VCARD`,
  "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c06": `BEGIN:VCARD
VERSION:3.0
PRODID:-//Apple Inc.//iPhone OS 17.5.1//EN
N:Bennett;Olivia;;;
FN:Olivia Bennett
EMAIL;type=INTERNET;type=HOME;type=pref:olivia.bennett@icloud.com
TEL;type=CELL;type=VOICE;type=pref:+1 (312) 555-0174
TEL;type=HOME;type=VOICE:+1 (312) 555-0102
item1.ADR;type=HOME;type=pref:;;1432 N Milwaukee Ave\\nApt 3;Chicago;IL;60622;United States
item1.X-ABADR:us
item2.URL;type=pref:https://oliviabennett.design
item2.X-ABLabel:_$!<HomePage>!$_
UID:a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c06
END:VCARD`,
  "b7c8d9e0-f1a2-4b3c-8d4e-5f6a7b8c9d07": `BEGIN:VCARD
VERSION:3.0
N:Okafor;Samuel;Adebayo;Dr.;MD
FN:Dr. Samuel Okafor
ORG:Mercy General Hospital;Cardiology
TITLE:Attending Physician
EMAIL;TYPE=INTERNET,WORK:s.okafor@mercygeneral.org
TEL;TYPE=WORK,VOICE:+1 (916) 555-0133
TEL;TYPE=CELL:+1 (916) 555-0190
ADR;TYPE=WORK:;;4001 J St;Sacramento;CA;95819;United States
UID:b7c8d9e0-f1a2-4b3c-8d4e-5f6a7b8c9d07
END:VCARD`,
  "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e08": `BEGIN:VCARD
VERSION:3.0
N:Kowalski;Hannah;;;
FN:Hannah Kowalski
NICKNAME:Hanka
EMAIL;TYPE=INTERNET,HOME:hannah.k@protonmail.com
TEL;TYPE=CELL:+1 (646) 555-0157
URL:https://hannahkowalski.photo
BDAY:1993-01-08
UID:c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e08
END:VCARD`,
  "d9e0f1a2-b3c4-4d5e-9f6a-7b8c9d0e1f09": `BEGIN:VCARD
VERSION:3.0
PRODID:-//Apple Inc.//iPhone OS 17.5.1//EN
N:O'Brien;Liam;;;
FN:Liam O'Brien
EMAIL;type=INTERNET;type=HOME;type=pref:liam.obrien@hotmail.com
EMAIL;type=INTERNET;type=WORK:lobrien@brightline.io
TEL;type=WORK;type=VOICE:+1 (617) 555-0148
ORG:Brightline
TITLE:Account Executive
UID:d9e0f1a2-b3c4-4d5e-9f6a-7b8c9d0e1f09
END:VCARD`,
  "e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7a10": `BEGIN:VCARD
VERSION:3.0
N:Tanaka;Mei;;;
FN:Mei Tanaka
EMAIL;TYPE=INTERNET:mei.tanaka@gmail.com
TEL;TYPE=CELL:+1 (503) 555-0111
NOTE:Book club organiser. Next up: "The Remains of the Day"\\, then something 
 lighter for the summer. Allergic to peanuts — remember for the potluck.
UID:e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7a10
END:VCARD`,
  "f1a2b3c4-d5e6-4f7a-9b8c-9d0e1f2a3b11": `BEGIN:VCARD
VERSION:3.0
PRODID:-//Apple Inc.//iPhone OS 17.5.1//EN
N:;;;;
FN:Ridgeview Veterinary Clinic
ORG:Ridgeview Veterinary Clinic;
X-ABShowAs:COMPANY
EMAIL;type=INTERNET;type=WORK;type=pref:frontdesk@ridgeviewvet.com
TEL;type=WORK;type=VOICE;type=pref:+1 (415) 555-0166
item1.ADR;type=WORK;type=pref:;;880 Ridgeview Ave;San Mateo;CA;94401;United States
item1.X-ABADR:us
UID:f1a2b3c4-d5e6-4f7a-9b8c-9d0e1f2a3b11
END:VCARD`,
  "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c12": `BEGIN:VCARD
VERSION:3.0
N:Walker;Ethan;;;
FN:Ethan Walker
EMAIL;TYPE=INTERNET,HOME:ethan.walker@outlook.com
TEL;TYPE=CELL:+1 (720) 555-0139
BDAY:--1102
X-SOCIALPROFILE;type=twitter:https://twitter.com/ethanwalks
UID:0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c12
END:VCARD`,
};

/**
 * Adds (or resets the password of) the user, creates the "Friends" address book and PUTs the
 * twelve cards straight to the server (not through a proxy). Returns the book's href and the
 * cards' hrefs.
 */
export async function seedDemoAddressBook(server: DavServer, username: string, password: string): Promise<{ href: string; cards: string[] }> {
  await server.addUser(username, password);
  // A fixed path: connections made in an earlier demo session find the book again.
  const href = await server.makeAddressBook(username, password, DEMO_BOOK_NAME, { slug: "friends" });
  const authorization = `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
  // One at a time: Radicale writes one card at a time anyway, and a burst of connections
  // overflows its listen backlog (a dropped SYN costs a second).
  const cards: string[] = [];
  for (const [uid, text] of Object.entries(CARDS)) {
    const cardHref = `${href}${uid}.vcf`;
    const res = await fetch(new URL(cardHref, server.url), {
      method: "PUT",
      headers: { authorization, "content-type": "text/vcard; charset=utf-8", "if-none-match": "*" },
      body: `${text.replace(/\n/g, "\r\n")}\r\n`,
    });
    await res.arrayBuffer();
    if (res.status !== 201 && res.status !== 204) throw new Error(`Seeding ${cardHref}: the CardDAV server answered ${res.status}`);
    cards.push(cardHref);
  }
  return { href, cards };
}
