/**
 * Demo data for the embedded database: demo users, the two sandbox connections, their shops and
 * instances, and 30 days of billing history so every page shows something real.
 * Runs only against the embedded demo database (EMBEDDED_DB=1), and only when it has no users.
 */
import bcrypt from "bcryptjs";
import { encryptSecret } from "../lib/crypto";
import type { PrismaClient } from "../lib/db/client";
import { env } from "../lib/env";
import type { Prisma } from "../lib/generated/prisma/client";

export const DEMO_SHOPIFY_CONNECTION_ID = "5e3d0b1a-0000-4000-8000-000000000001";
export const DEMO_WIX_CONNECTION_ID = "5e3d0b1a-0000-4000-8000-000000000002";

export const DEMO_USERS = [
  { email: "admin@example.com", name: "Demo Admin", role: "admin", password: "billing-demo-admin" },
  { email: "operator@example.com", name: "Demo Operator", role: "operator", password: "billing-demo-operator" },
  { email: "viewer@example.com", name: "Demo Viewer", role: "viewer", password: "billing-demo-viewer" },
] as const;

const DAY = 24 * 3600 * 1000;

export async function createUsers(
  prisma: PrismaClient,
  users: readonly { email: string; name: string; role: "admin" | "operator" | "viewer"; password: string }[],
) {
  for (const u of users) {
    await prisma.user.upsert({
      where: { email: u.email },
      update: {},
      create: { email: u.email, name: u.name, role: u.role, passwordHash: await bcrypt.hash(u.password, 10) },
    });
  }
}

/** The sandbox connections of the demo; tests use them too. */
export async function createSandboxConnections(prisma: PrismaClient, sandboxUrl = env().SANDBOX_URL) {
  const base = sandboxUrl.replace(/\/+$/, "");
  await prisma.connection.upsert({
    where: { id: DEMO_SHOPIFY_CONNECTION_ID },
    update: { apiBaseUrl: base, partnerApiUrl: `${base}/4242/api/2026-07/graphql.json` },
    create: {
      id: DEMO_SHOPIFY_CONNECTION_ID,
      name: "SMS Blaster (sandbox)",
      platform: "shopify",
      environment: "sandbox",
      apiBaseUrl: base,
      partnerApiUrl: `${base}/4242/api/2026-07/graphql.json`,
      clientId: "sandbox-sms-blaster",
      clientSecretEnc: encryptSecret("shpss_sandbox_demo_secret"),
      appGid: "gid://shopify/App/1001",
      partnerApiTokenEnc: encryptSecret("prtapi_sandbox_demo_token"),
    },
  });
  await prisma.connection.upsert({
    where: { id: DEMO_WIX_CONNECTION_ID },
    update: { apiBaseUrl: base },
    create: {
      id: DEMO_WIX_CONNECTION_ID,
      name: "SMS Blaster for Wix (sandbox)",
      platform: "wix",
      environment: "sandbox",
      apiBaseUrl: base,
      clientId: "cc59f2e7-7a40-4cbf-a78a-ac6e83d17e96",
      clientSecretEnc: encryptSecret("wix_sandbox_demo_secret"),
      apiKeyEnc: encryptSecret("IST.sandbox-demo-api-key"),
      accountId: "0f3d7a52-1111-4c3b-9a58-2f8e6b1c0d44",
      defaultChargeLimit: "50.00",
    },
  });
}

/** Deterministic pseudo-random numbers, so the demo looks the same on every machine. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const FAILURE_CODES = ["NO_SUBSCRIPTION", "SUBSCRIPTION_NOT_METERED", "INVALID_TIMESTAMP", "PERIOD_CLOSED", "IDEMPOTENCY_KEY_ERROR", "INVALID_VALUE"];

/** 30 days of history for the shops and instances imported from the sandbox. */
export async function createDemoHistory(prisma: PrismaClient, now = new Date()) {
  const shops = await prisma.shop.findMany({ where: { connectionId: DEMO_SHOPIFY_CONNECTION_ID }, orderBy: { shopId: "asc" } });
  const instances = await prisma.wixInstance.findMany({ where: { connectionId: DEMO_WIX_CONNECTION_ID }, orderBy: { instanceId: "asc" } });
  const random = rng(42);
  const events: Prisma.BillingEventCreateManyInput[] = [];
  const billableShops = shops.filter((s) => s.planHandle);
  // This cycle's usage is sent for real, so it goes only to shops whose plan meters it: the partner's
  // app would not report SMS usage for a plan without that meter (ingest would hold it as SUBSCRIPTION_NOT_METERED).
  const plans = await prisma.plan.findMany({ where: { connectionId: DEMO_SHOPIFY_CONNECTION_ID }, include: { meters: true } });
  const metered = new Set(plans.filter((p) => p.meters.some((m) => m.handle === "sms_sent")).map((p) => p.handle));
  const meteredShops = billableShops.filter((s) => metered.has(s.planHandle!));
  if (!meteredShops.length || !instances.length) throw new Error("import the sandbox's shops and instances before creating demo history");
  for (let day = 29; day >= 0; day--) {
    const perDay = 40 + Math.floor(random() * 40);
    for (let n = 0; n < perDay; n++) {
      const occurredAt = new Date(now.getTime() - day * DAY - Math.floor(random() * DAY));
      if (occurredAt > now) continue;
      let shop = billableShops[Math.floor(random() * billableShops.length)]!;
      if (shop.cycleStart && occurredAt >= shop.cycleStart && !metered.has(shop.planHandle!)) shop = meteredShops[Math.floor(random() * meteredShops.length)]!;
      const roll = random();
      const handle = roll < 0.07 ? "SMS_SENT" : roll < 0.1 ? "campaign_opened" : "sms_sent";
      const value = 1 + Math.floor(random() * 5);
      const failed = handle === "sms_sent" && random() < 0.08;
      const code = failed ? FAILURE_CODES[Math.floor(random() * FAILURE_CODES.length)]! : null;
      const verdict = handle !== "sms_sent" ? "non_billable" : failed ? "failed" : "billable";
      const key = `demo_${shop.shopId}_${occurredAt.getTime()}_${n}`;
      const base = {
        connectionId: DEMO_SHOPIFY_CONNECTION_ID,
        platform: "shopify",
        kind: "shopify_usage",
        shopId: shop.id,
        handle,
        quantity: String(value),
        occurredAt,
        idempotencyKey: key,
        // The attributes only, as ingest stores them: the rest of the body is in the columns.
        payload: { attributes: { value } },
        source: "import",
        predictedVerdict: handle === "sms_sent" ? "billable" : "non_billable",
        predictedDetails: handle === "SMS_SENT" ? "did you mean sms_sent?" : null,
        createdAt: occurredAt,
      } satisfies Omit<Prisma.BillingEventCreateManyInput, "state">;
      // The current cycle's usage is really sent: queued here, the worker delivers it to the sandbox,
      // whose verdicts and Partner API figures then agree with the ledger, as they would with Shopify.
      // Earlier cycles are history the sandbox never saw: their verdicts come from a Dev Dashboard log file.
      const inCurrentCycle = !!shop.cycleStart && occurredAt >= shop.cycleStart;
      events.push(
        inCurrentCycle
          ? { ...base, state: "queued", nextAttemptAt: now }
          : {
              ...base,
              state: "accepted",
              attemptCount: 1,
              platformVerdict: verdict,
              platformCode: code,
              platformDetails: code ? `Demo history: ${code}` : null,
              verdictSource: "imported_file",
              verdictAt: new Date(occurredAt.getTime() + 60_000),
              acceptedAt: new Date(occurredAt.getTime() + 1000),
            },
      );
    }
    for (let n = 0; n < 6; n++) {
      const occurredAt = new Date(now.getTime() - day * DAY - Math.floor(random() * DAY));
      if (occurredAt > now) continue;
      const instance = instances[Math.floor(random() * instances.length)]!;
      const amount = (1 + Math.floor(random() * 4000) / 100).toFixed(2);
      const key = `demo_wix_${instance.instanceId.slice(0, 8)}_${occurredAt.getTime()}_${n}`;
      events.push({
        connectionId: DEMO_WIX_CONNECTION_ID,
        platform: "wix",
        kind: "wix_billing_event",
        wixInstanceId: instance.id,
        handle: "CHARGE",
        amount,
        currency: "USD",
        occurredAt,
        idempotencyKey: key,
        payload: {
          event: {
            instanceId: instance.instanceId,
            createdDate: occurredAt.toISOString(),
            grossRevenue: amount,
            netRevenue: amount,
            wixShare: (Number(amount) * 0.2).toFixed(2),
            billingType: "CHARGE",
          },
        },
        source: "import",
        predictedVerdict: "billable",
        state: "accepted",
        attemptCount: 1,
        platformVerdict: "billable",
        verdictSource: "imported_file",
        verdictAt: new Date(occurredAt.getTime() + 1000),
        createdAt: occurredAt,
        acceptedAt: new Date(occurredAt.getTime() + 1000),
      });
    }
  }
  // Wix usage this cycle for the custom charges (Wix invoices it at the cycle's end).
  const prices = await prisma.wixPriceItem.findMany({ where: { connectionId: DEMO_WIX_CONNECTION_ID } });
  for (const inst of instances.filter((i) => i.cycleStart && i.installState === "installed" && !i.isTest)) {
    const price = prices.find((p) => p.kind === "sms_sent" && p.currency === inst.currency);
    if (!price) continue;
    const days = Math.floor((now.getTime() - inst.cycleStart!.getTime()) / DAY);
    for (let d = 0; d <= days; d++) {
      const occurredAt = new Date(inst.cycleStart!.getTime() + d * DAY + Math.floor(random() * DAY * 0.9));
      if (occurredAt > now) continue;
      const quantity = 40 + Math.floor(random() * 160);
      const key = `demo_wixusage_${inst.instanceId.slice(0, 8)}_${d}`;
      events.push({
        connectionId: DEMO_WIX_CONNECTION_ID,
        platform: "wix",
        kind: "wix_usage",
        wixInstanceId: inst.id,
        handle: "sms_sent",
        quantity: String(quantity),
        amount: price.unitPrice.mul(quantity).toFixed(),
        currency: inst.currency,
        occurredAt,
        idempotencyKey: key,
        payload: { kind: "sms_sent", quantity: String(quantity), timestamp: occurredAt.toISOString() },
        source: "import",
        predictedVerdict: "billable",
        predictedDetails: `${price.unitPrice.toFixed()} ${inst.currency} per unit; proposed to Wix at invoice time.`,
        state: "accepted",
        createdAt: occurredAt,
        acceptedAt: occurredAt,
      });
    }
  }
  await prisma.billingEvent.createMany({ data: events, skipDuplicates: true });
  // The demo history's verdicts came from a Dev Dashboard log file: keep its rows for reconciliation.
  await prisma.$executeRaw`
    INSERT INTO platform_log_entries (connection_id, idempotency_key, handle, shop_ref, occurred_at, quantity, verdict, code, details, source, imported_by)
    SELECT e.connection_id, e.idempotency_key, e.handle, s.shop_id, e.occurred_at, e.quantity, e.platform_verdict, e.platform_code, e.platform_details, 'imported_file', 'demo data'
    FROM billing_events e JOIN shops s ON s.id = e.shop_id
    WHERE e.connection_id = ${DEMO_SHOPIFY_CONNECTION_ID}::uuid AND e.source = 'import' AND e.platform_verdict IS NOT NULL
    ON CONFLICT (connection_id, idempotency_key) DO NOTHING`;
  // ... read from a file with no export time: as of its latest row, as an import would record it.
  await prisma.$executeRaw`
    INSERT INTO platform_log_reads (connection_id, source, as_of, rows_from, rows_to, row_count, read_by)
    SELECT connection_id, 'imported_file', max(occurred_at), min(occurred_at), max(occurred_at), count(*)::int, 'demo data'
    FROM platform_log_entries WHERE connection_id = ${DEMO_SHOPIFY_CONNECTION_ID}::uuid AND source = 'imported_file'
    GROUP BY connection_id`;
  return events.length;
}

export async function seedDemoIfEmpty(): Promise<boolean> {
  if (env().EMBEDDED_DB !== "1") return false; // never on a real server
  const { db } = await import("../lib/db/client");
  const prisma = db();
  try {
    if ((await prisma.user.count()) > 0) return false;
    // A fresh demo ledger starts beside a fresh sandbox: a sandbox state kept from an earlier demo
    // (.data/sandbox-state.json) holds that demo's events, and Reconcile would list each as missing here.
    const reset = await fetch(`${env().SANDBOX_URL.replace(/\/+$/, "")}/_sandbox/reset`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    if (!reset.ok) throw new Error(`the sandbox refused a reset (${reset.status}) before the demo data`);
    await createUsers(prisma, DEMO_USERS);
    await createSandboxConnections(prisma);
    const { syncSandboxConnection } = await import("../lib/services/connections/sync-sandbox");
    await syncSandboxConnection(DEMO_SHOPIFY_CONNECTION_ID);
    await syncSandboxConnection(DEMO_WIX_CONNECTION_ID);
    await createDemoHistory(prisma);
    return true;
  } finally {
    await prisma.$disconnect();
  }
}

/**
 * Demo only: once the seeded current-cycle usage has been delivered and has its verdicts, ask the
 * worker for one refresh of each demo connection's platform figures (what "Refresh now" does).
 */
export async function refreshWhenDelivered(prisma: PrismaClient, timeoutMs = 10 * 60_000) {
  const until = Date.now() + timeoutMs;
  const connectionId = DEMO_SHOPIFY_CONNECTION_ID;
  for (;;) {
    const waiting = await prisma.billingEvent.count({
      where: { connectionId, OR: [{ state: { in: ["queued", "sending", "retrying"] } }, { state: "accepted", platformVerdict: null }] },
    });
    if (waiting === 0) break;
    if (Date.now() > until) throw new Error(`${waiting} seeded events still undelivered after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 2000));
  }
  const active = await prisma.platformRefresh.findFirst({ where: { connectionId, status: { in: ["requested", "running"] } } });
  if (!active) await prisma.platformRefresh.create({ data: { connectionId, requestedBy: "demo: after the seeded usage was delivered" } });
}
