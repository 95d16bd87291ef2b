import { createHash } from "node:crypto";
import { compactVerify, errors as joseErrors } from "jose";
import { z } from "zod";
import { findTextProblems, GUID, inTimestampRange, TIMESTAMP_RANGE_MESSAGE } from "../../domain/input-text";
import { PluginAuthError, publicKey } from "./plugin-jwt";

/**
 * App Instance and Billing webhooks (docs/platforms/wix.md §4): the body is a JWT signed RS256 with the app's key.
 * As in Wix's SDK only the signature is checked (no issuer or audience; a retry may come after the
 * token's exp). The `data` claim is a JSON string holding {eventType, instanceId, data, identity,
 * accountInfo}, where `data` and `identity` are JSON strings again: three layers, each parsed here.
 * A bad signature is a PluginAuthError (401); a verified token of the wrong shape is a WebhookShapeError (400).
 */
export class WebhookShapeError extends Error {
  override readonly name = "WebhookShapeError";
}

export type WebhookEventType =
  | "AppInstalled"
  | "AppRemoved"
  | "PaidPlanPurchased"
  | "PaidPlanChanged"
  | "PaidPlanAutoRenewalCancelled"
  | "PlanConvertedToPaid"
  | "PlanReactivated"
  | "PlanTransferred"
  | "InvoiceStatusUpdated";

/** A JSON string holding an object (what Wix sends), or the object itself. */
const jsonObject = (what: string) =>
  z.unknown().transform((value, ctx) => {
    let parsed = value;
    if (typeof value === "string") {
      try {
        parsed = JSON.parse(value) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: `${what} is not a JSON string` });
        return z.NEVER;
      }
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
      ctx.addIssue({ code: "custom", message: `${what} must hold a JSON object` });
      return z.NEVER;
    }
    return parsed as Record<string, unknown>;
  });

const envelope = z.looseObject({
  eventType: z.string().min(1, "eventType is missing"),
  instanceId: z.string().trim().min(1, "instanceId is missing").regex(GUID, "instanceId must be the Wix instance id (a GUID)"),
  data: jsonObject("data"),
  identity: jsonObject("identity").optional(),
  accountInfo: z.looseObject({}).nullish(),
});

/** A date-time Postgres can store: Date.parse alone takes years such as -271821 or 275760. */
const timestamp = z
  .string()
  .max(64, "must be an ISO 8601 date-time")
  .superRefine((v, ctx) => {
    const ms = Date.parse(v);
    if (Number.isNaN(ms)) ctx.addIssue({ code: "custom", message: "must be an ISO 8601 date-time" });
    else if (!inTimestampRange(ms)) ctx.addIssue({ code: "custom", message: TIMESTAMP_RANGE_MESSAGE });
  })
  .nullish();
const plan = {
  operationTimeStamp: timestamp,
  vendorProductId: z.string().max(100).nullish(),
  cycle: z.string().max(40).nullish(),
  expiresOn: timestamp,
  invoiceId: z.string().max(50).nullish(),
};

/** The documented fields per event type (unknown fields are kept; Wix may add some). */
export const eventDataSchemas = {
  AppInstalled: z.looseObject({ appId: z.string().nullish(), originInstanceId: z.string().nullish() }),
  AppRemoved: z.looseObject({ appId: z.string().nullish() }),
  PaidPlanPurchased: z.looseObject({ ...plan, couponName: z.string().max(150).nullish() }),
  PaidPlanChanged: z.looseObject({
    ...plan,
    previousVendorProductId: z.string().nullish(),
    previousCycle: z.string().nullish(),
    couponName: z.string().max(150).nullish(),
  }),
  PaidPlanAutoRenewalCancelled: z.looseObject({
    ...plan,
    cancelReason: z.string().nullish(),
    userReason: z.string().nullish(),
    subscriptionCancellationType: z.string().nullish(),
    cancelledDuringFreeTrial: z.string().nullish(),
  }),
  PlanConvertedToPaid: z.looseObject(plan),
  PlanReactivated: z.looseObject({ ...plan, reason: z.string().nullish() }),
  PlanTransferred: z.looseObject(plan),
  InvoiceStatusUpdated: z.looseObject({
    status: z.enum(["PAYMENT_FAILED", "PAID", "REFUNDED", "CHARGEDBACK"], "status must be PAYMENT_FAILED, PAID, REFUNDED or CHARGEDBACK"),
    invoiceId: z.string().trim().min(1, "invoiceId is missing").max(50),
    instanceId: z.string().nullish(),
    recurring: z.boolean().nullish(),
  }),
} satisfies Record<WebhookEventType, z.ZodType>;

export type VerifiedWebhook = {
  eventType: string;
  instanceId: string;
  data: Record<string, unknown>;
  identity: unknown;
  accountInfo: Record<string, unknown> | null;
  signedAt: Date;
  /** sha256 of the signed payload: the same for every retry of one delivery. */
  dedupeKey: string;
};

export async function verifyWebhookJwt(token: string, publicKeyPem: string): Promise<VerifiedWebhook> {
  const compact = token.trim();
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(compact)) throw new PluginAuthError("the body is not a signed JWT");
  let key;
  try {
    key = await publicKey(publicKeyPem);
  } catch {
    throw new PluginAuthError("the connection's public key is not a valid RSA public key");
  }
  let payloadBytes: Uint8Array;
  try {
    ({ payload: payloadBytes } = await compactVerify(compact, key, { algorithms: ["RS256"] }));
  } catch (err) {
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) throw new PluginAuthError("the signature does not match the app's public key");
    if (err instanceof joseErrors.JOSEAlgNotAllowed) throw new PluginAuthError("the token is not signed with RS256");
    throw new PluginAuthError("the token could not be verified");
  }
  return parseWebhookPayload(new TextDecoder().decode(payloadBytes));
}

/**
 * The signed payload, once its signature checked out: three layers of JSON, each of Wix's shape,
 * and nothing in it Postgres cannot store (NUL, unpaired surrogates, deep nesting). Exported for the fuzz test.
 */
export function parseWebhookPayload(payloadText: string): VerifiedWebhook {
  let claims: { data?: unknown; iat?: unknown };
  try {
    claims = JSON.parse(payloadText) as typeof claims;
  } catch {
    throw new WebhookShapeError("the token's payload is not JSON");
  }
  if (typeof claims.data !== "string") throw new WebhookShapeError("the data claim must be a JSON string (Wix's webhook envelope)");
  let outer: unknown;
  try {
    outer = JSON.parse(claims.data);
  } catch {
    throw new WebhookShapeError("the data claim is not a JSON string");
  }
  const parsed = envelope.safeParse(outer);
  if (!parsed.success) throw new WebhookShapeError(parsed.error.issues.map((i) => `${i.path.join(".") || "envelope"}: ${i.message}`).join("; "));
  const text = findTextProblems(parsed.data);
  if (text)
    throw new WebhookShapeError(
      Object.entries(text)
        .map(([path, m]) => `${path}: ${m.join(", ")}`)
        .join("; "),
    );
  const iatMs = typeof claims.iat === "number" ? claims.iat * 1000 : NaN;
  const signedAt = inTimestampRange(iatMs) ? new Date(iatMs) : new Date();
  return {
    eventType: parsed.data.eventType,
    instanceId: parsed.data.instanceId,
    data: parsed.data.data,
    identity: parsed.data.identity ?? null,
    accountInfo: parsed.data.accountInfo ?? null,
    signedAt,
    dedupeKey: createHash("sha256").update(payloadText).digest("hex"),
  };
}
