/**
 * The connections, plans, shops, Wix instances and a sign-in user that scripts/generate-events.ts
 * fills with history: 3 Shopify apps with 80 shops each (a tenth of them dev stores), 2 Wix apps
 * with 60 instances each in five currencies. Deterministic, so two runs give the same ledger.
 */
import bcrypt from "bcryptjs";
import type { PrismaClient } from "../lib/db/client";

export const BENCH_USER = { email: "bench@example.com", password: "billing-bench-admin" };
const DAY = 86_400_000;

export type GeneratedEntities = {
  shops: { id: string; connectionId: string; isDevStore: boolean }[];
  instances: { id: string; connectionId: string; currency: string; isTest: boolean }[];
};

const uuid = (group: number, n: number) => `b0000000-0000-4000-8${String(group).padStart(3, "0")}-${String(n).padStart(12, "0")}`;
const SHOPIFY_APPS = ["SMS Blaster", "Review Rockets", "Stock Alerts"];
const WIX_APPS = ["SMS Blaster for Wix", "Bookings Plus"];
const CURRENCIES = ["USD", "USD", "EUR", "GBP", "JPY"];

/**
 * `shopifyApps` / `shopsPerApp` change the Shopify side's size (bench:reconcile: one app with 10,000
 * shops); `cycleStartDaysAgo` starts every shop's current cycle that many days ago (a minute
 * apart), so a history of fewer days lies wholly inside the current cycles.
 */
export type EntityOptions = { shopifyApps?: number; shopsPerApp?: number; cycleStartDaysAgo?: number; wixInstancesPerApp?: number };

export async function createEntities(prisma: PrismaClient, now: Date, opts: EntityOptions = {}): Promise<GeneratedEntities> {
  await prisma.user.upsert({
    where: { email: BENCH_USER.email },
    update: {},
    create: { email: BENCH_USER.email, name: "Bench Admin", role: "admin", passwordHash: await bcrypt.hash(BENCH_USER.password, 10) },
  });
  const out: GeneratedEntities = { shops: [], instances: [] };
  for (const [a, name] of SHOPIFY_APPS.slice(0, opts.shopifyApps ?? SHOPIFY_APPS.length).entries()) {
    const connectionId = uuid(1, a);
    await prisma.connection.create({
      data: {
        id: connectionId,
        name,
        platform: "shopify",
        environment: "live",
        apiBaseUrl: "https://api.shopify.com",
        clientId: `bench-shopify-${a}`,
        clientSecretEnc: "unused-in-bench",
      },
    });
    const plan = await prisma.plan.create({ data: { connectionId, handle: "pro", name: "Pro", monthlyFee: "19.00", currency: "USD" } });
    await prisma.meter.createMany({
      data: [
        { planId: plan.id, handle: "sms_sent", name: "SMS sent", structure: "fixed", unitPrice: "0.0100", includedUnits: "100", currency: "USD" },
        {
          planId: plan.id,
          handle: "email_sent",
          name: "Emails",
          structure: "graduated",
          unitPrice: "0",
          currency: "USD",
          tiers: [
            { upTo: "1000", unitPrice: "0.002" },
            { upTo: null, unitPrice: "0.001" },
          ],
        },
      ],
    });
    const shops = Array.from({ length: opts.shopsPerApp ?? 80 }, (_, n) => {
      const cycleStart =
        opts.cycleStartDaysAgo === undefined
          ? new Date(now.getTime() - ((n * 7) % 30) * DAY - DAY)
          : new Date(now.getTime() - opts.cycleStartDaysAgo * DAY - (n % 1440) * 60_000);
      return {
        id: uuid(10 + a, n),
        connectionId,
        shopId: String(60_000_000 + a * 100_000 + n),
        domain: `shop-${a}-${n}.myshopify.com`,
        name: `Shop ${a}-${n}`,
        isDevStore: n % 10 === 9,
        planHandle: "pro",
        subscriptionStatus: "ACTIVE",
        cycleStart,
        cycleEnd: new Date(cycleStart.getTime() + 30 * DAY),
      };
    });
    for (let i = 0; i < shops.length; i += 5000) await prisma.shop.createMany({ data: shops.slice(i, i + 5000) });
    out.shops.push(...shops.map((s) => ({ id: s.id, connectionId, isDevStore: s.isDevStore })));
  }
  for (const [a, name] of WIX_APPS.entries()) {
    const connectionId = uuid(2, a);
    await prisma.connection.create({
      data: {
        id: connectionId,
        name,
        platform: "wix",
        environment: "live",
        apiBaseUrl: "https://www.wixapis.com",
        clientId: `bench-wix-${a}`,
        clientSecretEnc: "unused-in-bench",
        defaultChargeLimit: "50.00",
      },
    });
    const instances = Array.from({ length: opts.wixInstancesPerApp ?? 60 }, (_, n) => {
      const currency = CURRENCIES[n % CURRENCIES.length]!;
      const cycleStart = new Date(now.getTime() - ((n * 11) % 30) * DAY - DAY);
      return {
        id: uuid(20 + a, n),
        connectionId,
        instanceId: uuid(30 + a, n),
        siteName: `Site ${a}-${n}`,
        currency,
        isTest: n % 20 === 19,
        chargeLimit: currency === "JPY" ? String(150_000 + (n % 5) * 50_000) : String(1000 + (n % 5) * 400),
        cycleStart,
        cycleEnd: new Date(cycleStart.getTime() + 30 * DAY),
      };
    });
    await prisma.wixInstance.createMany({ data: instances });
    out.instances.push(...instances.map((i) => ({ id: i.id, connectionId, currency: i.currency, isTest: i.isTest })));
  }
  return out;
}
