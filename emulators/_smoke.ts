import { people, auth } from "@googleapis/people";
import { startGoogleEmulator } from "./google/server";
async function main() {

const emu = await startGoogleEmulator({ seed: true });
console.log(emu.url, emu.state.accountList().map((a) => `${a.email}:${a.contactCount}`));
const r = await fetch(`${emu.url}/__admin/accounts/alex.morgan.demo%40gmail.com/token`, { method: "POST", body: "{}" });
const tok = (await r.json()) as { access_token: string };
const o = new auth.OAuth2();
o.setCredentials({ access_token: tok.access_token });
const p = people({ version: "v1", auth: o, rootUrl: emu.url + "/" });
const list = await p.people.connections.list({ resourceName: "people/me", personFields: "names,emailAddresses,memberships,photos,birthdays", pageSize: 3, requestSyncToken: true });
console.log(JSON.stringify(list.data, null, 1).slice(0, 3000));
const groups = await p.contactGroups.list({});
console.log(groups.data.contactGroups?.map((g) => `${g.resourceName} ${g.name} ${g.memberCount}`));
await emu.close();

}
void main();
