/**
 * The audit log read as a history: each row's action in words, the thing it was done to by name
 * (with a link), and what changed as "field: before → after" with the ids inside the values
 * resolved to names too. Pure: the page collects every id of a page of rows with `auditRefs`,
 * resolves them in one query per kind (lib/db/audit-page.ts), and hands the names back here.
 */
export type RefKind =
  | "event"
  | "connection"
  | "shop"
  | "wix_instance"
  | "user"
  | "api_key"
  | "plan"
  | "meter"
  | "price_item"
  | "alert"
  | "reconcile_cycle"
  | "reconcile_difference";

export type Ref = { kind: RefKind; id: string };
export type Named = { label: string; href?: string };
/** Resolved names, keyed by `refKey`. A ref missing here was deleted (or never existed). */
export type Names = ReadonlyMap<string, Named>;

export type AuditRowInput = { action: string; entityType: string; entityId: string; before: unknown; after: unknown };

export type Value = { kind: "text"; text: string } | { kind: "ref"; named: Named } | { kind: "time"; iso: string } | { kind: "none" };
type Change = { field: string; before?: Value; after?: Value };
export type AuditView = { action: string; subject: Named; changes: Change[] };

export const refKey = (r: Ref) => `${r.kind}:${r.id}`;

const ENTITY_KINDS: ReadonlySet<string> = new Set<RefKind>([
  "event",
  "connection",
  "shop",
  "wix_instance",
  "user",
  "api_key",
  "plan",
  "meter",
  "price_item",
  "alert",
  "reconcile_cycle",
  "reconcile_difference",
]);

/** Value keys that hold an id of something we can name. */
const VALUE_REFS: Record<string, RefKind> = {
  connectionId: "connection",
  shopId: "shop",
  wixInstanceId: "wix_instance",
  planId: "plan",
  voidEntry: "event",
  correction: "event",
  eventId: "event",
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EVENT_ID = /^\d{1,19}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function validRef(kind: RefKind, id: unknown): Ref | null {
  if (typeof id !== "string" && typeof id !== "number") return null;
  const text = String(id);
  if (kind === "event" || kind === "reconcile_difference") return EVENT_ID.test(text) ? { kind, id: text } : null;
  return UUID.test(text) ? { kind, id: text.toLowerCase() } : null;
}

/** "shop:<uuid>" or "wix_instance:<uuid>" (an alert's subject). */
function subjectRef(value: unknown): Ref | null {
  if (typeof value !== "string") return null;
  const i = value.indexOf(":");
  const kind = value.slice(0, i);
  return kind === "shop" || kind === "wix_instance" ? validRef(kind, value.slice(i + 1)) : null;
}

function valueRef(key: string, value: unknown): Ref | null {
  if (key === "subject") return subjectRef(value);
  const kind = VALUE_REFS[key];
  return kind ? validRef(kind, value) : null;
}

const entries = (v: unknown): [string, unknown][] => (v && typeof v === "object" && !Array.isArray(v) ? Object.entries(v) : []);

/** Every id a row names: the thing it is about, and the ids inside its before and after values. */
export function auditRefs(row: AuditRowInput): Ref[] {
  const refs: Ref[] = [];
  if (ENTITY_KINDS.has(row.entityType)) {
    const r = validRef(row.entityType as RefKind, row.entityId);
    if (r) refs.push(r);
  }
  for (const [key, value] of [...entries(row.before), ...entries(row.after)]) {
    const r = valueRef(key, value);
    if (r) refs.push(r);
  }
  return refs;
}

const ACTIONS: Record<string, string> = {
  "event.send": "Sent an event",
  "event.send_anyway": "Sent a held event anyway",
  "event.retry": "Retried an event",
  "event.void": "Voided a held event",
  "event.mark_verdict": "Recorded the platform's verdict by hand",
  "event.accept_platform_verdict": "Took the platform's verdict",
  "event.correct": "Recorded a correction",
  "reconcile.resend": "Resent an event",
  "wix_usage.record": "Recorded Wix usage",
  "test_charge.fire": "Fired a test charge",
  "connection.create": "Added a connection",
  "connection.update": "Edited a connection",
  "connection.test": "Tested a connection's credentials",
  "connection.rotate_secret": "Rotated a connection's secret",
  "connection.enable": "Enabled delivery",
  "connection.disable": "Disabled delivery",
  "connection.delete": "Deleted a connection",
  "connection.archive": "Archived a connection",
  "connection.refresh": "Imported from the sandbox",
  "connection.default_charge_limit": "Set the default Wix charge limit",
  "connection.alert_webhook": "Set the alert webhook",
  "wix_instance.initial_charge_limit": "Set an instance's initial charge limit",
  "alert.acknowledge": "Acknowledged an alert",
  "plan.create": "Added a plan",
  "plan.discovered": "Took in a plan from Shopify",
  "meter.create": "Added a usage meter",
  "meter.delete": "Removed a usage meter",
  "price_item.save": "Saved a Wix price",
  "user.create": "Added a user",
  "user.update": "Changed a user",
  "auth.throttle_clear": "Cleared a sign-in lock",
  "auth.sign_in_throttled": "Locked sign-ins after repeated failures",
  "api_key.create": "Created an API key",
  "api_key.revoke": "Revoked an API key",
  "scenario.start": "Started a test scenario",
  "scenario.finish": "Finished a test scenario",
  "reconcile.close_cycle": "Closed a reconciliation cycle",
  "reconcile.close_cycle_with_gap": "Closed a reconciliation cycle with a known gap",
  "reconcile.refresh_requested": "Asked for fresh platform figures",
  "reconcile.import_sandbox_log": "Imported the sandbox's billing log",
  "reconcile.import_file": "Imported a Dev Dashboard log file",
};

/** "connection.default_charge_limit" → "Connection: default charge limit" for actions not listed. */
function actionWords(action: string): string {
  if (ACTIONS[action]) return ACTIONS[action];
  const [head, ...rest] = action.split(".");
  const words = (s: string) => s.replace(/_/g, " ");
  if (head === "reconcile" && rest.length) return `Resolved a difference: ${words(rest.join(" "))}`;
  return rest.length ? `${capital(words(head ?? ""))}: ${words(rest.join(" "))}` : capital(words(action));
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "initialChargeLimit" → "initial charge limit"; "apiBaseUrl" → "API base URL". */
export function fieldWords(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/_/g, " ")
    .toLowerCase()
    .replace(/\b(api|url|id|uuid|gid)\b/g, (w) => w.toUpperCase());
}

const ENTITY_WORDS: Record<string, string> = {
  event: "event",
  connection: "connection",
  shop: "shop",
  wix_instance: "Wix instance",
  user: "user",
  api_key: "API key",
  plan: "plan",
  meter: "meter",
  price_item: "Wix price",
  alert: "alert",
  reconcile_cycle: "reconciliation cycle",
  reconcile_difference: "difference",
  scenario_run: "test scenario",
  sign_in: "sign-ins",
};

/** What the row is about, by name; a deleted thing by what the row itself recorded of it. */
function subjectOf(row: AuditRowInput, names: Names): Named {
  if (row.entityType === "sign_in") {
    const i = row.entityId.indexOf(":");
    return { label: `sign-ins of ${row.entityId.slice(i + 1)}`, href: "/settings/users" };
  }
  if (row.entityType === "scenario_run") return { label: "test scenario run", href: "/test-charges" };
  const ref = ENTITY_KINDS.has(row.entityType) ? validRef(row.entityType as RefKind, row.entityId) : null;
  const found = ref ? names.get(refKey(ref)) : undefined;
  if (found) return found;
  const recorded = [row.before, row.after].map((v) => entries(v).find(([k]) => k === "name")?.[1]).find((v) => typeof v === "string");
  const what = ENTITY_WORDS[row.entityType] ?? fieldWords(row.entityType);
  if (row.entityType === "event") return { label: `event #${row.entityId}`, href: `/events/${row.entityId}` };
  return { label: recorded ? `${what} ${recorded} (no longer here)` : `a ${what} no longer here` };
}

const MAX_TEXT = 160;

function text(s: string): Value {
  return { kind: "text", text: s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s };
}

/** One value in words: ids named, times as times, lists and small objects spelled out. */
function valueOf(key: string, value: unknown, names: Names): Value {
  if (value === null || value === undefined || value === "") return { kind: "none" };
  const ref = valueRef(key, value);
  if (ref) return { kind: "ref", named: names.get(refKey(ref)) ?? { label: `${ENTITY_WORDS[ref.kind]} no longer here` } };
  if (typeof value === "boolean") return text(value ? "yes" : "no");
  if (typeof value === "number") return text(String(value));
  if (typeof value === "string") return ISO_TIME.test(value) ? { kind: "time", iso: value } : text(value);
  if (Array.isArray(value)) return value.length === 0 ? text("none") : text(value.map((v) => plain(v)).join(", "));
  return text(plain(value));
}

function plain(value: unknown): string {
  if (value === null || value === undefined) return "none";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value !== "object") return String(value);
  if (Array.isArray(value)) return `[${value.map(plain).join(", ")}]`;
  return Object.entries(value)
    .map(([k, v]) => `${fieldWords(k)} ${plain(v)}`)
    .join(" · ");
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * What changed. A field present on both sides with the same value is left out (it did not
 * change); a field only after is shown as set, one only before as what was removed.
 */
function changesOf(row: AuditRowInput, names: Names): Change[] {
  const before = new Map(entries(row.before));
  const after = new Map(entries(row.after));
  const keys = [...new Set([...before.keys(), ...after.keys()])];
  const out: Change[] = [];
  for (const key of keys) {
    const hasBefore = before.has(key);
    const hasAfter = after.has(key);
    if (hasBefore && hasAfter && same(before.get(key), after.get(key))) continue;
    out.push({
      field: fieldWords(VALUE_REFS[key] ? key.replace(/Id$/, "") : key),
      ...(hasBefore ? { before: valueOf(key, before.get(key), names) } : {}),
      ...(hasAfter ? { after: valueOf(key, after.get(key), names) } : {}),
    });
  }
  // A value that is not an object (rare): shown whole.
  if (row.before !== null && row.before !== undefined && !before.size && typeof row.before !== "object")
    out.push({ field: "value", before: valueOf("value", row.before, names) });
  if (row.after !== null && row.after !== undefined && !after.size && typeof row.after !== "object")
    out.push({ field: "value", after: valueOf("value", row.after, names) });
  return out;
}

export function describeAudit(row: AuditRowInput, names: Names): AuditView {
  return { action: actionWords(row.action), subject: subjectOf(row, names), changes: changesOf(row, names) };
}
