import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { CompactSign, exportSPKI, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Connection } from "../../generated/prisma/client";
import { startLedgerEnv, type LedgerEnv } from "../../testing/ledger-env";
import { nasty, runPool } from "../../testing/nasty";

/**
 * 10,000 generated `data` claims per Wix Custom Charges method, past the signature
 * (handleVerifiedPluginCall), and 10,000 generated webhook payloads (parseWebhookPayload +
 * handleVerifiedWebhook), against the real Postgres: well-formed calls with nasty values put into
 * their fields (NUL, lone surrogates, year 0000, numbers past numeric(24,10), 5,000-character ids,
 * currency XXX, deep nesting) plus whole claims that are anything at all. Some are also signed
 * and sent through the real routes. Not one 5xx, and nothing written for a refused call: each
 * call names a fresh instance id, and no refused call's instance (nor anything hanging off it) exists.
 */
const PER_ENDPOINT = Number(process.env.WIX_FUZZ_BODIES ?? 10_000);
const SIGNED = 150;
const CONNECTION = "5e3d0b1a-0000-4000-8000-0000000000f1";
const APP = "0a1b2c3d-0000-4000-8000-0000000000f1";

let env: LedgerEnv;
let connection: Connection;
let appKey: CryptoKey;
let plugin: typeof import("./plugin");
let webhooks: typeof import("./webhooks");
let parseWebhookPayload: typeof import("../../platforms/wix/webhook-jwt").parseWebhookPayload;
let WebhookShapeError: typeof import("../../platforms/wix/webhook-jwt").WebhookShapeError;
let pluginRoute: typeof import("../../../app/api/wix/[connectionId]/v1/[method]/route").POST;
let webhookRoute: typeof import("../../../app/api/wix/[connectionId]/webhooks/route").POST;

beforeAll(async () => {
  env = await startLedgerEnv();
  plugin = await import("./plugin");
  webhooks = await import("./webhooks");
  ({ parseWebhookPayload, WebhookShapeError } = await import("../../platforms/wix/webhook-jwt"));
  ({ POST: pluginRoute } = await import("../../../app/api/wix/[connectionId]/v1/[method]/route"));
  ({ POST: webhookRoute } = await import("../../../app/api/wix/[connectionId]/webhooks/route"));
  const pair = await generateKeyPair("RS256", { extractable: true });
  appKey = pair.privateKey;
  connection = await env.db.connection.create({
    data: {
      id: CONNECTION,
      name: "Fuzz app",
      platform: "wix",
      environment: "sandbox",
      apiBaseUrl: env.sandboxUrl,
      clientId: APP,
      clientSecretEnc: "unused",
      pluginPublicKey: await exportSPKI(pair.publicKey),
      defaultChargeLimit: "10",
    },
  });
});
afterAll(async () => env?.close());

const now = () => new Date().toISOString();
const REQUESTS: Record<string, () => Record<string, unknown>> = {
  "charge-limit": () => ({ subscriptionId: randomUUID(), currency: "USD", cycle: { cycleType: "RECURRING", cycleDuration: { unit: "MONTH", count: 1 } } }),
  charges: () => ({ subscriptionId: randomUUID(), currency: "USD", periodStart: "2026-01-01T00:00:00.000Z", periodEnd: now(), intent: "CREATE_INVOICE" }),
  usages: () => ({ subscriptionId: randomUUID(), counterIds: ["sms_sent"], periodStart: "2026-01-01T00:00:00.000Z", periodEnd: now(), intent: "DISPLAY_ONLY" }),
  "charges-rejected": () => ({ subscriptionId: randomUUID(), currency: "USD", chargeIds: ["c1"], chargeLimit: "1.00", reasons: ["CHARGE_LIMIT_EXCEEDED"] }),
  "usages-rejected": () => ({
    subscriptionId: randomUUID(),
    currency: "EUR",
    usageLineItems: [{ counterId: "sms_sent", quantity: 3, unitPrice: "0.10", amount: "0.30" }],
    chargeLimit: "1.00",
    reasons: ["CHARGE_LIMIT_EXCEEDED"],
  }),
  "invoice-created": () => ({
    subscriptionId: randomUUID(),
    currency: "USD",
    invoiceId: `inv-${randomUUID().slice(0, 8)}`,
    lineItems: [{ chargeId: "c1", amount: "1.00", id: "l1" }],
  }),
  "limit-updated": () => ({ subscriptionId: randomUUID(), currency: "USD", chargeLimit: "25.00" }),
};
const METHODS = Object.keys(REQUESTS) as (keyof typeof REQUESTS)[];
/** Where a nasty value may go, per method: the request's own fields, nested ones, and the metadata. */
const PLUGIN_PATHS = [
  ["request"],
  ["request", "subscriptionId"],
  ["request", "currency"],
  ["request", "cycle"],
  ["request", "cycle", "cycleDuration", "count"],
  ["request", "cycle", "cycleType"],
  ["request", "periodStart"],
  ["request", "periodEnd"],
  ["request", "intent"],
  ["request", "counterIds"],
  ["request", "counterIds", "0"],
  ["request", "chargeIds"],
  ["request", "chargeIds", "0"],
  ["request", "chargeLimit"],
  ["request", "reasons"],
  ["request", "usageLineItems", "0", "quantity"],
  ["request", "usageLineItems", "0", "amount"],
  ["request", "invoiceId"],
  ["request", "lineItems", "0", "chargeId"],
  ["request", "lineItems", "0", "amount"],
  ["request", "lineItems", "0", "id"],
  ["request", "extra\u0000"],
  ["metadata"],
  ["metadata", "requestId"],
  ["metadata", "currency"],
  ["metadata", "instanceId"],
  ["metadata", "appExtensionType"],
];

type Mutation = [string[], unknown, boolean];
const mutation = (paths: string[][]) => fc.tuple(fc.constantFrom(...paths), nasty.value(), fc.boolean());
function mutate(target: Record<string, unknown>, ms: Mutation[]): boolean {
  let instanceTouched = false;
  for (const [path, value, drop] of ms) {
    let at: Record<string, unknown> = target;
    for (const p of path.slice(0, -1)) {
      if (!at[p] || typeof at[p] !== "object") at[p] = {};
      at = at[p] as Record<string, unknown>;
    }
    if (drop) delete at[path.at(-1)!];
    else at[path.at(-1)!] = value;
    if (path.includes("instanceId") || (path.length === 1 && path[0] === "metadata")) instanceTouched = true;
  }
  return instanceTouched;
}
const claims = fc.oneof(
  { weight: 20, arbitrary: fc.array(mutation(PLUGIN_PATHS), { maxLength: 3 }).map((ms) => ({ ms: ms as Mutation[] })) },
  { weight: 1, arbitrary: nasty.value().map((whole) => ({ whole })) },
);

/** Rows a refused call with instance ids `ids` would have left: its instances and everything recorded against them. */
async function rowsFor(ids: string[]) {
  const instances = await env.db.wixInstance.findMany({ where: { connectionId: connection.id, instanceId: { in: ids } }, select: { id: true } });
  const deliveries = await env.db.wixWebhookDelivery.count({ where: { connectionId: connection.id, instanceId: { in: ids } } });
  return instances.length + deliveries;
}
const tally = (m: Record<string, number>, k: string | number) => (m[k] = (m[k] ?? 0) + 1);
const fivexx = (m: Record<string, number>) =>
  Object.entries(m)
    .filter(([s]) => +s >= 500)
    .reduce((n, [, c]) => n + c, 0);
const sign = (payload: Record<string, unknown>) =>
  new SignJWT(payload)
    .setProtectedHeader({ alg: "RS256" })
    .setIssuer("wix.com")
    .setAudience(connection.clientId)
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(appKey);

describe("Wix service-plugin endpoints under 10,000 generated calls each", () => {
  it.each(METHODS)(
    "%s: never 5xx, nothing written for a refused call",
    async (method) => {
      const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
      const samples = fc.sample(claims, { numRuns: PER_ENDPOINT, seed });
      const statuses: Record<string, number> = {};
      const refused: string[] = [];
      const started = performance.now();
      await runPool(
        samples.map((s, i) => async () => {
          const instanceId = randomUUID();
          let data: unknown;
          let tracked = true;
          if ("whole" in s) data = s.whole;
          else {
            const d: Record<string, unknown> = { request: REQUESTS[method]!(), metadata: { instanceId, requestId: `fz-${i}` } };
            tracked = !mutate(d, structuredClone(s.ms));
            data = d;
          }
          // Some calls go signed through the real route, the rest past the signature.
          const status =
            i < SIGNED
              ? (
                  await pluginRoute(
                    new Request(`http://app/api/wix/${connection.id}/v1/${method}`, {
                      method: "POST",
                      headers: { "content-type": "text/plain" },
                      body: await sign({ data }),
                    }),
                    { params: Promise.resolve({ connectionId: connection.id, method }) },
                  )
                ).status
              : (await plugin.handleVerifiedPluginCall({ connection, method: method as never, data, now: new Date() })).status;
          tally(statuses, status);
          if (status >= 500) throw new Error(`${method}: ${status} for call ${i} (seed ${seed}): ${JSON.stringify(data)?.slice(0, 400)}`);
          if (status >= 400 && tracked) refused.push(instanceId);
        }),
        4,
      );
      const leftovers = await rowsFor(refused);
      console.log(
        `wix plugin fuzz ${method} (seed ${seed}): ${samples.length} calls (${SIGNED} signed through the route) in ${((performance.now() - started) / 1000).toFixed(1)} s; HTTP ${JSON.stringify(statuses)}; 5xx: ${fivexx(statuses)}; rows from ${refused.length} refused calls: ${leftovers}`,
      );
      expect(fivexx(statuses)).toBe(0);
      expect(leftovers).toBe(0);
      expect(refused.length).toBeGreaterThan(PER_ENDPOINT / 10);
      expect(
        Object.entries(statuses)
          .filter(([s]) => +s < 300)
          .reduce((n, [, c]) => n + c, 0),
      ).toBeGreaterThan(PER_ENDPOINT / 10);
    },
    600_000,
  );
});

const EVENT_TYPES = [
  "AppInstalled",
  "AppRemoved",
  "PaidPlanPurchased",
  "PaidPlanChanged",
  "PaidPlanAutoRenewalCancelled",
  "PlanConvertedToPaid",
  "PlanReactivated",
  "PlanTransferred",
  "InvoiceStatusUpdated",
  "SomethingNew",
];
const WEBHOOK_PATHS = [
  ["eventType"],
  ["instanceId"],
  ["data"],
  ["identity"],
  ["accountInfo"],
  ["iat"],
  ["fields", "operationTimeStamp"],
  ["fields", "vendorProductId"],
  ["fields", "cycle"],
  ["fields", "expiresOn"],
  ["fields", "invoiceId"],
  ["fields", "status"],
  ["fields", "recurring"],
  ["fields", "couponName"],
  ["fields", "k\u0000"],
  ["identity_fields", "identityType"],
];
const hooks = fc.oneof(
  {
    weight: 20,
    arbitrary: fc
      .tuple(fc.constantFrom(...EVENT_TYPES), fc.array(mutation(WEBHOOK_PATHS), { maxLength: 3 }), fc.boolean())
      .map(([type, ms, stringify]) => ({ type, ms: ms as Mutation[], stringify })),
  },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.string(),
        nasty.value().map((v) => JSON.stringify({ data: v })),
        nasty.json(),
      )
      .map((text) => ({ text: text ?? "" })),
  },
);

/** A webhook's signed payload: the data claim is a JSON string of {eventType, instanceId, data, identity}, whose data and identity are JSON strings again. */
function webhookPayload(instanceId: string, s: { type: string; ms: Mutation[]; stringify: boolean }): { text: string; tracked: boolean } {
  const fields: Record<string, unknown> =
    s.type === "InvoiceStatusUpdated"
      ? { status: "PAID", invoiceId: randomUUID().slice(0, 8), recurring: true }
      : { operationTimeStamp: new Date().toISOString(), vendorProductId: "usage_based", cycle: "MONTHLY", appId: APP };
  const parts: Record<string, unknown> = {
    eventType: s.type,
    instanceId,
    fields,
    identity_fields: { identityType: "WIX_USER", wixUserId: randomUUID() },
    iat: Math.floor(Date.now() / 1000),
  };
  const touched = mutate(
    parts,
    structuredClone(s.ms).map(([p, v, d]) => [p, v, d] as Mutation),
  );
  const tracked = !touched;
  const envelope: Record<string, unknown> = {
    eventType: parts.eventType,
    instanceId: parts.instanceId,
    data: "data" in parts ? parts.data : s.stringify ? JSON.stringify(parts.fields) : parts.fields,
    identity: "identity" in parts ? parts.identity : JSON.stringify(parts.identity_fields),
    ...("accountInfo" in parts ? { accountInfo: parts.accountInfo } : {}),
  };
  let data: string;
  try {
    data = JSON.stringify(envelope);
  } catch {
    data = "{}";
  }
  return { text: JSON.stringify({ data, iat: parts.iat }) ?? "{}", tracked };
}

describe("the Wix webhook route under 10,000 generated payloads", () => {
  it("never answers 5xx and records nothing of a refused delivery", async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
    const samples = fc.sample(hooks, { numRuns: PER_ENDPOINT, seed });
    const statuses: Record<string, number> = {};
    const refused: string[] = [];
    const started = performance.now();
    await runPool(
      samples.map((s, i) => async () => {
        const instanceId = randomUUID();
        const { text, tracked } = "text" in s ? { text: s.text, tracked: false } : webhookPayload(instanceId, s);
        let status: number;
        if (i < SIGNED) {
          // The payload text signed as it is (a JWS, as Wix signs) and POSTed to the real route.
          const token = await new CompactSign(new TextEncoder().encode(text)).setProtectedHeader({ alg: "RS256" }).sign(appKey);
          status = (
            await webhookRoute(
              new Request(`http://app/api/wix/${connection.id}/webhooks`, { method: "POST", headers: { "content-type": "text/plain" }, body: token }),
              { params: Promise.resolve({ connectionId: connection.id }) },
            )
          ).status;
        } else {
          try {
            status = (await webhooks.handleVerifiedWebhook({ connection, hook: parseWebhookPayload(text) })).status;
          } catch (err) {
            if (!(err instanceof WebhookShapeError)) throw new Error(`webhook ${i} (seed ${seed}) threw ${(err as Error).message}: ${text.slice(0, 400)}`);
            status = 400;
          }
        }
        tally(statuses, status);
        if (status >= 500) throw new Error(`webhook: ${status} for payload ${i} (seed ${seed}): ${text.slice(0, 400)}`);
        if (status >= 400 && tracked) refused.push(instanceId);
      }),
      4,
    );
    const leftovers = await rowsFor(refused);
    console.log(
      `wix webhook fuzz (seed ${seed}): ${samples.length} payloads (${SIGNED} signed through the route) in ${((performance.now() - started) / 1000).toFixed(1)} s; HTTP ${JSON.stringify(statuses)}; 5xx: ${fivexx(statuses)}; rows from ${refused.length} refused deliveries: ${leftovers}`,
    );
    expect(fivexx(statuses)).toBe(0);
    expect(leftovers).toBe(0);
    expect(refused.length).toBeGreaterThan(PER_ENDPOINT / 10);
    expect(statuses["200"] ?? 0).toBeGreaterThan(PER_ENDPOINT / 10);
  }, 600_000);
});
