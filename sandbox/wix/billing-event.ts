// POST /apps/v1/billing-event: Report External Billing Event (docs/platforms/wix.md §2). Accepts the REST
// camelCase fields and the seed's snake_case ones, answers with the event echoed plus the
// resolved appId / instanceId, and records every reported event.
import { parseIsoTime } from "../clock";
import type { Sandbox } from "../context";
import { isObject, json, ParseError, parseJson, type Reply, type Request } from "../http";
import { SIGNED_DECIMAL_10 } from "../money";
import { authenticate, isReply } from "./auth";
import { wixError, wixValidation, type FieldViolation } from "./errors";

const FIELDS = [
  ["appId", "app_id"],
  ["instanceId", "instance_id"],
  ["grossRevenue", "gross_revenue"],
  ["netRevenue", "net_revenue"],
  ["wixShare", "wix_share"],
  ["createdDate", "created_date"],
  ["billingType", "billing_type"],
] as const;
type Field = (typeof FIELDS)[number][0];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function reportBillingEvent(sb: Sandbox, req: Request): Promise<Reply> {
  const caller = await authenticate(sb, req, true);
  if (isReply(caller)) return caller;
  const body = parseJson(req.rawBody);
  if (body instanceof ParseError || !isObject(body) || !isObject(body.event)) {
    return wixValidation([{ field: "event", description: "must not be empty", violatedRule: "REQUIRED_FIELD" }]);
  }
  const input = readFields(body.event);
  const violations = validate(input, caller.kind === "api_key");
  if (violations.length > 0) return wixValidation(violations);

  let appId: string;
  let instanceId: string | null;
  if (caller.kind === "access_token") {
    appId = caller.app.appId;
    instanceId = caller.instance.instanceId;
  } else {
    const app = sb.state.wix.apps.find((a) => a.appId === input.appId);
    if (!app) return wixError(404, "NOT_FOUND", `App ${input.appId} was not found`);
    if (app.accountId !== caller.account.accountId)
      return wixError(403, "PERMISSION_DENIED", `App ${app.appId} does not belong to account ${caller.account.accountId}`);
    appId = app.appId;
    instanceId = input.instanceId ?? null;
    if (instanceId && !sb.state.wix.instances.some((i) => i.instanceId === instanceId && i.appId === appId)) {
      return wixError(404, "NOT_FOUND", `App instance ${instanceId} of app ${appId} was not found`);
    }
  }
  const app = sb.state.wix.apps.find((a) => a.appId === appId);
  if (!app?.partnerBilled) {
    return wixError(428, "FAILED_PRECONDITION", "App is not approved as a Partner Billed App");
  }

  const event: Record<string, string | null> = {
    appId,
    ...(instanceId ? { instanceId } : {}),
    grossRevenue: input.grossRevenue ?? null,
    ...(input.netRevenue !== undefined ? { netRevenue: input.netRevenue } : {}),
    wixShare: input.wixShare ?? null,
    createdDate: input.createdDate ?? sb.nowIso(),
    billingType: input.billingType ?? null,
  };
  const seq = sb.seq();
  sb.state.wix.billingEvents.push({
    id: `web_${String(seq).padStart(8, "0")}`,
    seq,
    receivedAt: sb.nowIso(),
    auth: caller.kind,
    accountId: caller.kind === "api_key" ? caller.account.accountId : null,
    event,
  });
  return json(200, { event: sb.state.settings.wix.echoCase === "snake" ? toSnake(event) : event });
}

/** Reads each field from its camelCase or snake_case key (camelCase wins when both are sent). */
function readFields(event: Record<string, unknown>): Partial<Record<Field, string | null>> & { raw: Record<string, unknown> } {
  const out: Partial<Record<Field, string | null>> & { raw: Record<string, unknown> } = { raw: {} };
  for (const [camel, snake] of FIELDS) {
    const value = camel in event ? event[camel] : event[snake];
    if (value === undefined) continue;
    out.raw[camel] = value;
    out[camel] = value === null ? null : (value as string);
  }
  return out;
}

function validate(input: ReturnType<typeof readFields>, apiKey: boolean): FieldViolation[] {
  const v: FieldViolation[] = [];
  const required = (field: Field) => {
    const value = input.raw[field];
    if (value === undefined || value === null || value === "")
      v.push({ field: `event.${field}`, description: "must not be empty", violatedRule: "REQUIRED_FIELD" });
    return value !== undefined && value !== null && value !== "";
  };
  for (const field of ["grossRevenue", "wixShare"] as const) {
    if (required(field) && (typeof input.raw[field] !== "string" || !SIGNED_DECIMAL_10.test(input.raw[field] as string))) {
      v.push({ field: `event.${field}`, description: "must be a decimal string with at most 10 decimal places", violatedRule: "DECIMAL_VALUE" });
    }
  }
  const net = input.raw.netRevenue;
  if (net !== undefined && net !== null && (typeof net !== "string" || !SIGNED_DECIMAL_10.test(net))) {
    v.push({ field: "event.netRevenue", description: "must be a decimal string with at most 10 decimal places", violatedRule: "DECIMAL_VALUE" });
  }
  if (required("billingType") && !["CHARGE", "REFUND"].includes(input.raw.billingType as string)) {
    v.push({ field: "event.billingType", description: "must be CHARGE or REFUND", violatedRule: "ENUM" });
  }
  const created = input.raw.createdDate;
  if (created !== undefined && created !== null && (typeof created !== "string" || parseIsoTime(created) === null)) {
    v.push({ field: "event.createdDate", description: "must be an ISO 8601 date-time", violatedRule: "FORMAT" });
  }
  if (apiKey && required("appId") && !GUID.test(String(input.raw.appId))) {
    v.push({ field: "event.appId", description: "must be a GUID", violatedRule: "FORMAT" });
  }
  const instanceId = input.raw.instanceId;
  if (instanceId !== undefined && instanceId !== null && !GUID.test(String(instanceId))) {
    v.push({ field: "event.instanceId", description: "must be a GUID", violatedRule: "FORMAT" });
  }
  return v;
}

function toSnake(event: Record<string, string | null>): Record<string, string | null> {
  const map = new Map<string, string>(FIELDS);
  return Object.fromEntries(Object.entries(event).map(([k, v]) => [map.get(k) ?? k, v]));
}
