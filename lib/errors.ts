// Expected errors carry a message meant for the person using the app; anything else is a bug,
// logged with context and shown as a generic message.
//
// A UserError names its message by key, in the "errors" messages of lib/i18n/messages, with the
// values the message needs, and the same for the message of each form field it concerns.
// runAction reads it in the user's language (translateUserError). Its `message` and
// `fieldErrors` are the English texts, for logs, tests, and callers outside a request (the sync
// worker, the OAuth callback); English is written once, in en.json.
import { createTranslator } from "use-intl/core";
import en from "@/lib/i18n/messages/en.json";
import { isUuid } from "@/lib/uuid";

/** "a.b.c" for every message of a tree of messages. */
type Leaves<T, Prefix extends string = ""> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${K}` : Leaves<T[K], `${Prefix}${K}.`>;
}[keyof T & string];

/** A message for the user, under "errors". */
export type ErrorKey = Leaves<typeof en.errors>;
/** The names of one group of those messages ("restore" → "notDeleted" | …). */
export type ErrorKeyIn<Group extends keyof typeof en.errors> = keyof (typeof en.errors)[Group] & string;
/** What NotFoundError can say was not found ("thisPerson" → "This person was not found, …"). */
export type NotFoundThing = ErrorKeyIn<"notFound">;
/** Any message of the app, from its root ("visibility.label.company"). */
export type MessageKey = Leaves<typeof en>;

/** A value of an error's message: text and numbers as they are, or something that reads
 * differently in each language (another message, a list), made with `translated` or `orList`. */
export type ErrorValue = string | number | TranslatedValue | ListValue;
export type ErrorValues = Readonly<Record<string, ErrorValue>>;
type TranslatedValue = { readonly kind: "translated"; readonly key: MessageKey; readonly values: ErrorValues };
type ListValue = { readonly kind: "orList"; readonly items: readonly ErrorValue[] };

/** A value that is another message of the app, read in the error's language. */
export function translated(key: MessageKey, values: ErrorValues = {}): ErrorValue {
  return { kind: "translated", key, values };
}

/** "a, b or c", in the error's language. */
export function orList(items: readonly ErrorValue[]): ErrorValue {
  return { kind: "orList", items };
}

/** Reads a message of the app, from its root: next-intl's getTranslations() without a
 * namespace, or createTranslator() without one. */
export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

function read(t: Translate, key: MessageKey, values: ErrorValues): string {
  const resolved: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(values)) resolved[name] = resolve(t, value);
  return t(key, resolved);
}

function resolve(t: Translate, value: ErrorValue): string | number {
  if (typeof value !== "object") return value;
  if (value.kind === "translated") return read(t, value.key, value.values);
  const items = value.items.map((item) => String(resolve(t, item)));
  if (items.length < 2) return items.join("");
  return read(t, "errors.list.or", { items: items.slice(0, -1).join(", "), last: items.at(-1) ?? "" });
}

const english: Translate = createTranslator({ locale: "en", messages: en });

export type UserErrorOptions = {
  values?: ErrorValues;
  /** The form fields it concerns, each with its own (short) message. */
  fields?: Readonly<Record<string, ErrorKey>>;
};

export class UserError extends Error {
  readonly key: ErrorKey;
  readonly values: ErrorValues;
  readonly fields: Readonly<Record<string, ErrorKey>>;
  /** The fields' messages in English, by field name. */
  readonly fieldErrors: Record<string, string>;

  constructor(key: ErrorKey, { values = {}, fields = {} }: UserErrorOptions = {}) {
    super(englishMessage(key, values));
    this.name = "UserError";
    this.key = key;
    this.values = values;
    this.fields = fields;
    this.fieldErrors = readFields(english, fields);
  }
}

function readFields(t: Translate, fields: Readonly<Record<string, ErrorKey>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, key] of Object.entries(fields)) out[field] = read(t, `errors.${key}`, {});
  return out;
}

/** The error's message and its fields' messages in the language `t` reads. */
export function translateUserError(error: UserError, t: Translate): { message: string; fieldErrors: Record<string, string> } {
  return { message: read(t, `errors.${error.key}`, error.values), fieldErrors: readFields(t, error.fields) };
}

/** English, as the error's `message` is: for text that is not shown through runAction. */
export function englishMessage(key: ErrorKey, values: ErrorValues = {}): string {
  return read(english, `errors.${key}`, values);
}

/** The thing does not exist or the viewer may not see it: both read as "not found". */
export class NotFoundError extends UserError {
  constructor(what: NotFoundThing = "thisItem") {
    super(`notFound.${what}`);
    this.name = "NotFoundError";
  }
}

/** An id a form or a request posted: a malformed one names nothing, so it reads as not found. */
export function postedId(value: unknown, what: NotFoundThing): string {
  if (typeof value !== "string" || !isUuid(value)) throw new NotFoundError(what);
  return value;
}

export class ForbiddenError extends UserError {
  constructor(key: ErrorKey, options?: UserErrorOptions) {
    super(key, options);
    this.name = "ForbiddenError";
  }
}
