/**
 * What looks like personal data in a Shopify App Events attribute. Shopify forbids personal data
 * there and checks nothing (docs/platforms/shopify.md §1.3), so we check before an event is
 * stored. Pure and cheap: a batch of 1,000 events runs it 15,000 times.
 *
 * Kept to few false positives: a number is never an email, name or address (an `sms_sent` of
 * 100 is a count); dates, timestamps, UUIDs, decimals and bare digit strings (order numbers)
 * are never phone numbers. A number counts as a phone only under a key that says "phone".
 */
export type PersonalDataFinding = { attribute: string; reason: string };

const EMAIL = /[^\s@<>(),;:"[\]]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
/** International form: "+" and 7–15 digits, with spaces, dots, dashes or parentheses between. */
const PHONE_INTL = /(?:^|[^\w+])\+\d(?:[\s.()-]{0,2}\d){6,14}(?!\d)/;
/** North American form with separators: (555) 123-4567, 555-123-4567, 555.123.4567. */
const PHONE_NANP = /(?:^|[^\w])(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?!\d)/;
/** Street words that seldom end anything else ("way", "place" and "drive" do: "3 test drive"). */
const STREET_SUFFIX = [
  "street",
  "st",
  "avenue",
  "ave",
  "road",
  "rd",
  "boulevard",
  "blvd",
  "lane",
  "ln",
  "terrace",
  "highway",
  "hwy",
  "parkway",
  "pkwy",
  "crescent",
]
  .flatMap((w) => [w, w[0]!.toUpperCase() + w.slice(1), w.toUpperCase()])
  .join("|");
/** A house number, one to four capitalised words, then a street word: "221B Baker Street", "1600 Pennsylvania Ave". */
const STREET_EN = new RegExp(String.raw`(?:^|\s)\d{1,5}[A-Za-z]?,?\s+(?:[A-Z][\w.'-]*\s+){1,4}(?:${STREET_SUFFIX})\.?(?=$|[\s,])`);
/** German and similar: "Hauptstraße 5", "Lindenweg 12a". */
const STREET_DE = /(?:^|\s)[A-Za-zÄÖÜäöüß]{2,}(?:straße|strasse|str\.|weg|gasse|platz|allee)\s+\d{1,4}[a-z]?(?=$|[\s,])/i;
const PO_BOX = /\bP\.?\s?O\.?\s+Box\s+\d+/i;

/**
 * Key words. A key is split into words at `_`, `.`, `-` and camelCase humps: `customerEmail` →
 * customer, email. A whole key such as `name` or `address` is personal; so is a word that is
 * personal on its own (email, phone) anywhere in the key; `name` and `address` only after a
 * word that makes them a person's (first_name, billing_address, not plan_name or ip_range).
 */
const PERSONAL_WORDS: Record<string, string> = {
  email: "an email address",
  mail: "an email address",
  phone: "a phone number",
  telephone: "a phone number",
  tel: "a phone number",
  mobile: "a phone number",
  cellphone: "a phone number",
  msisdn: "a phone number",
  whatsapp: "a phone number",
  firstname: "a person's name",
  lastname: "a person's name",
  fullname: "a person's name",
  surname: "a person's name",
  forename: "a person's name",
  givenname: "a person's name",
  familyname: "a person's name",
  middlename: "a person's name",
  username: "a person's name",
  street: "a street address",
  address1: "a street address",
  address2: "a street address",
  postcode: "a postal address",
  zipcode: "a postal address",
  postalcode: "a postal address",
  ssn: "an identity number",
  passport: "an identity number",
  dob: "a date of birth",
  birthday: "a date of birth",
  birthdate: "a date of birth",
};
const PERSON_QUALIFIERS = new Set([
  "first",
  "last",
  "full",
  "given",
  "family",
  "middle",
  "maiden",
  "sur",
  "customer",
  "user",
  "buyer",
  "contact",
  "person",
  "owner",
  "merchant",
  "recipient",
  "billing",
  "shipping",
  "home",
  "street",
  "mailing",
  "ip",
  "email",
  "account",
  "client",
  "member",
  "shopper",
]);
const PERSON_NOUNS: Record<string, string> = { name: "a person's name", address: "an address", zip: "a postal address", birth: "a date of birth" };

function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .split(/[_.\-\s]+/)
    .filter(Boolean);
}

/** Why a key names personal data, or null. Only keys, not values. */
export function personalKey(key: string): string | null {
  const words = keyWords(key);
  if (!words.length) return null;
  const joined = words.join("");
  if (PERSONAL_WORDS[joined]) return PERSONAL_WORDS[joined];
  if (words.length === 1 && PERSON_NOUNS[joined]) return PERSON_NOUNS[joined];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    // "mail", "tel" and "mobile" are personal only as the whole key or with a qualifier ("mobile_number"), never in "mail_sent" or "mobile_sessions".
    if (PERSONAL_WORDS[w] && !["mail", "tel", "mobile"].includes(w)) return PERSONAL_WORDS[w];
    if (["mobile", "tel"].includes(w) && ["number", "no", "num"].includes(words[i + 1] ?? "")) return "a phone number";
    if (w === "date" && words[i + 1] === "of" && words[i + 2] === "birth") return "a date of birth";
    if (i > 0 && PERSON_NOUNS[w] && PERSON_QUALIFIERS.has(words[i - 1]!)) return PERSON_NOUNS[w];
    const joinedWithPrevious = i > 0 ? PERSONAL_WORDS[words[i - 1] + w] : undefined;
    if (joinedWithPrevious) return joinedWithPrevious;
  }
  return null;
}

/** Why a text looks like personal data, or null. */
export function personalText(text: string): string | null {
  if (text.length < 6) return null;
  if (text.includes("@") && EMAIL.test(text)) return "looks like an email address";
  if ((text.includes("+") && PHONE_INTL.test(text)) || PHONE_NANP.test(text)) return "looks like a phone number";
  if (STREET_EN.test(text) || STREET_DE.test(text) || PO_BOX.test(text)) return "looks like a street address";
  return null;
}

/** 7 to 15 digits, as a phone number has (E.164). */
const phoneDigits = (v: number | string) => {
  const digits = String(v).replace(/[\s.()+-]/g, "");
  return /^\d{7,15}$/.test(digits);
};

/** A flag or a count under a personal key ("email_sent": "yes", "phone_calls": "3") carries nothing personal. */
const NOT_PERSONAL_VALUE = /^\s*(true|false|yes|no|y|n|none|null|unknown|n\/a|[+-]?\d{1,6}(\.\d+)?)?\s*$/i;
const carries = (value: string, named: string) => (named === "a phone number" ? phoneDigits(value) : !NOT_PERSONAL_VALUE.test(value));

/**
 * Every attribute that looks like personal data, by its key, its value or both, in the
 * attributes' order. An empty array when none does.
 */
export function findPersonalData(attributes: Record<string, unknown>): PersonalDataFinding[] {
  const found: PersonalDataFinding[] = [];
  for (const [key, value] of Object.entries(attributes)) {
    const inKey = personalText(key);
    if (inKey) {
      found.push({ attribute: key, reason: `the attribute's name ${inKey}` });
      continue;
    }
    const named = personalKey(key);
    if (typeof value === "string") {
      const inValue = personalText(value);
      if (inValue) found.push({ attribute: key, reason: `the value ${inValue}` });
      else if (named && carries(value, named)) found.push({ attribute: key, reason: `the name "${key}" says it holds ${named}` });
    } else if (typeof value === "number" && named === "a phone number" && phoneDigits(value)) {
      found.push({ attribute: key, reason: `the name "${key}" says it holds ${named}` });
    }
  }
  return found;
}

/** The one-line warning an event held for personal data carries. */
export function personalDataMessage(findings: PersonalDataFinding[]): string {
  return `Shopify forbids personal data in attributes: ${findings.map((f) => `${f.attribute} (${f.reason})`).join("; ")}.`;
}
