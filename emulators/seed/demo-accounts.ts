/** The demo accounts both emulators are seeded with; the app's demo mode lists them on its sign-in hints. */
export interface DemoAccount {
  provider: "google" | "microsoft";
  email: string;
  name: string;
  contacts: number;
  /** Google labels / Outlook contact folders. */
  groups: readonly string[];
  seed: number;
  edgeCases: boolean;
}

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { provider: "google", email: "alex.morgan.demo@gmail.com", name: "Alex Morgan", contacts: 320, groups: ["Clients", "Family", "Friends", "Colleagues", "Book Club"], seed: 1, edgeCases: true },
  { provider: "google", email: "sam.rivera.demo@gmail.com", name: "Sam Rivera", contacts: 60, groups: ["Clients", "Family"], seed: 2, edgeCases: false },
  { provider: "microsoft", email: "jordan.lee.demo@outlook.com", name: "Jordan Lee", contacts: 280, groups: ["Clients", "Family", "Friends"], seed: 3, edgeCases: true },
  { provider: "microsoft", email: "casey.kim.demo@hotmail.com", name: "Casey Kim", contacts: 45, groups: ["Clients"], seed: 4, edgeCases: false },
];
