/** Vocabulary for the demo address books: names by script, companies, places, notes. */

export interface NamePool {
  given: readonly string[];
  family: readonly string[];
  /** Family name first, no space (CJK). */
  familyFirst?: boolean;
  emailLocal?: (given: string, family: string, n: number) => string;
}

export const LATIN_NAMES: NamePool = {
  given: [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "Lucas", "Mia", "Mason", "Isabella", "Ethan", "Amelia", "Logan", "Harper",
    "James", "Evelyn", "Benjamin", "Abigail", "Henry", "Charlotte", "Daniel", "Emily", "Jack", "Ella", "Samuel", "Grace", "David", "Chloe",
    "Matthew", "Zoë", "Léa", "José", "Chiara", "Mateo", "Sofía", "Lukas", "Anouk", "Björn", "Ingrid", "Siobhán", "Aoife", "Niamh", "Raj",
    "Priya", "Kwame", "Amara", "Tomás", "Inês", "François", "Hélène", "Jürgen", "Małgorzata", "Zoltán", "Ayşe", "Mehmet", "Nguyễn",
  ],
  family: [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Wilson",
    "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson",
    "O'Brien", "Smith-Jones", "van der Berg", "de la Cruz", "Müller", "Schröder", "Dubois", "Lefèvre", "Rossi", "Bianchi", "Kowalski",
    "Nowak", "Andersson", "Nørgaard", "Ó Súilleabháin", "Okafor", "Mensah", "Patel", "Singh", "Yılmaz", "Kovács", "Novák", "Silva", "Santos",
  ],
};

export const NON_LATIN_POOLS: readonly NamePool[] = [
  { given: ["太郎", "花子", "健", "美咲", "翔太"], family: ["山田", "佐藤", "鈴木", "高橋", "田中"], familyFirst: true },
  { given: ["伟", "芳", "娜", "磊", "静"], family: ["王", "李", "张", "刘", "陈"], familyFirst: true },
  { given: ["민준", "서연", "도윤", "지우"], family: ["김", "이", "박", "최"], familyFirst: true },
  { given: ["Дмитрий", "Анна", "Сергей", "Ольга", "Иван"], family: ["Иванов", "Смирнова", "Кузнецов", "Попова", "Соколов"] },
  { given: ["Ελένη", "Γιώργος", "Μαρία", "Νίκος"], family: ["Παπαδοπούλου", "Παπαδόπουλος", "Οικονόμου", "Γεωργίου"] },
  { given: ["محمد", "فاطمة", "أحمد", "ليلى"], family: ["الأحمد", "حسن", "الخطيب", "منصور"] },
  { given: ["प्रिया", "राहुल", "अनीता", "विकास"], family: ["शर्मा", "वर्मा", "गुप्ता", "सिंह"] },
  { given: ["שרה", "דוד", "מיכל", "יוסי"], family: ["כהן", "לוי", "מזרחי", "פרץ"] },
];

export const COMPANIES: readonly { name: string; domain: string }[] = [
  { name: "Acme Corporation", domain: "acme.example" },
  { name: "Globex", domain: "globex.example" },
  { name: "Initech", domain: "initech.example" },
  { name: "Umbrella Health", domain: "umbrella-health.example" },
  { name: "Stark Industries", domain: "stark.example" },
  { name: "Wayne Enterprises", domain: "wayne.example" },
  { name: "Hooli", domain: "hooli.example" },
  { name: "Pied Piper", domain: "piedpiper.example" },
  { name: "Vandelay Industries", domain: "vandelay.example" },
  { name: "Soylent Foods", domain: "soylent.example" },
  { name: "Tyrell Systems", domain: "tyrell.example" },
  { name: "Nordwind GmbH", domain: "nordwind.example" },
  { name: "Boulangerie Lefèvre", domain: "lefevre.example" },
  { name: "株式会社サクラ", domain: "sakura.example" },
  { name: "Blue Harbor Logistics", domain: "blueharbor.example" },
  { name: "Cedar & Pine Architects", domain: "cedarpine.example" },
];

export const JOB_TITLES = [
  "CEO", "CTO", "Head of Sales", "Account Executive", "Office Manager", "Software Engineer", "Product Manager", "Designer",
  "Procurement Lead", "Marketing Director", "Operations Manager", "Consultant", "Accountant", "Founder", "Purchasing Agent",
] as const;

export const DEPARTMENTS = ["Sales", "Engineering", "Finance", "Marketing", "Operations", "Purchasing", "Legal"] as const;

export interface Place {
  street: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
  countryCode: string;
  phonePrefix: string;
}

export const PLACES: readonly Place[] = [
  { street: "1600 Amphitheatre Pkwy", city: "Mountain View", region: "CA", postalCode: "94043", country: "United States", countryCode: "US", phonePrefix: "+1 650 555 " },
  { street: "350 Fifth Avenue", city: "New York", region: "NY", postalCode: "10118", country: "United States", countryCode: "US", phonePrefix: "+1 212 555 " },
  { street: "233 S Wacker Dr", city: "Chicago", region: "IL", postalCode: "60606", country: "United States", countryCode: "US", phonePrefix: "+1 312 555 " },
  { street: "10 Downing Street", city: "London", region: "", postalCode: "SW1A 2AA", country: "United Kingdom", countryCode: "GB", phonePrefix: "+44 20 7946 " },
  { street: "Unter den Linden 77", city: "Berlin", region: "", postalCode: "10117", country: "Germany", countryCode: "DE", phonePrefix: "+49 30 901820" },
  { street: "5 Avenue Anatole France", city: "Paris", region: "Île-de-France", postalCode: "75007", country: "France", countryCode: "FR", phonePrefix: "+33 1 44 11 " },
  { street: "1-1 Chiyoda", city: "Tokyo", region: "東京都", postalCode: "100-8111", country: "Japan", countryCode: "JP", phonePrefix: "+81 3 3213 " },
  { street: "Rua Augusta 100", city: "Lisboa", region: "", postalCode: "1100-053", country: "Portugal", countryCode: "PT", phonePrefix: "+351 21 000 " },
  { street: "Kungsgatan 12", city: "Stockholm", region: "", postalCode: "111 35", country: "Sweden", countryCode: "SE", phonePrefix: "+46 8 555 " },
  { street: "Calle de Alcalá 50", city: "Madrid", region: "Comunidad de Madrid", postalCode: "28014", country: "Spain", countryCode: "ES", phonePrefix: "+34 91 555 " },
];

export const NOTES = [
  "Met at the regional trade fair. Interested in the premium plan.",
  "Prefers calls in the morning.\nAssistant handles scheduling.",
  "Referred by Olivia. Follow up after the summer.",
  "Vegetarian — remember for the team dinner.",
  "Old friend from university. Loves sailing ⛵",
  "Renewal due in Q3; decision maker is the CFO.",
  "Speaks French and German.",
  "Allergic to peanuts.",
] as const;

export const IM_PROTOCOLS = ["skype", "jabber", "googleTalk", "qq", "icq"] as const;
