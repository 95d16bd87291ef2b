// The seed fixture format (zod): Shopify partners, apps with plans and meters, shops with
// installs and subscriptions; Wix accounts, apps and instances. See fixtures/default.json.
import { z } from "zod";
import { UNSIGNED_DECIMAL, WIX_CURRENCIES } from "./money";
import { settingsPatchSchema } from "./settings";

const decimal = z.string().regex(UNSIGNED_DECIMAL, 'must be a decimal string such as "9.99"');
const time = z.string().min(1);

const tier = z.object({ upTo: z.number().positive().nullable(), amountPerUnit: decimal, amount: decimal.default("0.00") });
const meterSchema = z
  .object({
    handle: z.string().min(1),
    name: z.string().min(1),
    structure: z.enum(["FIXED", "GRADUATED", "VOLUME"]),
    unitPrice: decimal.optional(),
    includedUnits: z.number().min(0).default(0),
    tiers: z.array(tier).max(6).default([]),
  })
  .refine((m) => (m.structure === "FIXED" ? m.unitPrice !== undefined : m.tiers.length > 0), {
    message: "FIXED meters need unitPrice; GRADUATED and VOLUME meters need tiers",
  })
  .refine((m) => m.tiers.length === 0 || m.tiers.at(-1)?.upTo === null, {
    message: "the last tier must be open-ended (upTo: null)",
  });
const plan = z.object({
  handle: z.string().min(1),
  name: z.string().min(1),
  public: z.boolean().default(true),
  billingPeriod: z.enum(["EVERY_30_DAYS", "ANNUAL"]).default("EVERY_30_DAYS"),
  recurringPrice: decimal.default("0.00"),
  currency: z.enum(["USD", "EUR", "GBP", "CAD", "AUD", "JPY"]).default("USD"),
  meters: z.array(meterSchema).max(5, "at most 5 usage meters per plan").default([]),
});
const subscription = z.object({
  plan: z.string(),
  startedAt: time,
  id: z.string().optional(),
  canceledAt: time.nullable().default(null),
  cancelAtEndOfCycle: z.boolean().default(false),
});
/** One shop with its installs: a fixture's `shopify.shops[]` entry, and the body of `POST /_sandbox/shopify/shops`. */
export const shopFixtureSchema = z.object({
  id: z.string().regex(/^\d+$/, "shop ids are numeric strings"),
  domain: z.string().regex(/^[a-z0-9-]+\.myshopify\.com$/),
  name: z.string().optional(),
  development: z.boolean().default(false),
  installs: z
    .array(
      z.object({
        app: z.string(),
        installedAt: time,
        uninstalledAt: time.nullable().default(null),
        adminAccessToken: z.string().min(1).optional(),
        subscription: subscription.nullable().default(null),
      }),
    )
    .default([]),
});
export type ShopFixture = z.infer<typeof shopFixtureSchema>;
const shopifyFixture = z.object({
  partners: z.array(
    z.object({
      orgId: z.string(),
      name: z.string().default("Sandbox Partner"),
      status: z.enum(["active", "frozen", "invalid"]).default("active"),
      apiTokens: z.array(z.string()).default([]),
    }),
  ),
  apps: z.array(
    z.object({
      clientId: z.string().min(1),
      clientSecret: z.string().min(1),
      gid: z.string().regex(/^gid:\/\/shopify\/App\/\d+$/),
      title: z.string(),
      orgId: z.string(),
      scope: z.string().default("write_global_api_app_events"),
      status: z.enum(["active", "invalid"]).default("active"),
      pricing: z.enum(["app_pricing", "manual"]).default("app_pricing"),
      plans: z.array(plan).default([]),
    }),
  ),
  shops: z.array(shopFixtureSchema),
});
const keyPair = z.object({ publicKeyPem: z.string(), privateKeyPem: z.string() });
const wixFixture = z.object({
  accounts: z.array(z.object({ accountId: z.string(), apiKeys: z.array(z.string()).default([]) })),
  apps: z.array(
    z.object({
      appId: z.string(),
      secret: z.string(),
      name: z.string(),
      accountId: z.string(),
      partnerBilled: z.boolean().default(true),
      baseUri: z.string().url().nullable().default(null),
      webhookUrl: z.string().url().nullable().default(null),
      keys: keyPair.optional(),
      priceList: z
        .array(z.object({ kind: z.string(), description: z.string(), unitPrice: decimal, currency: z.enum(WIX_CURRENCIES).default("USD") }))
        .default([]),
    }),
  ),
  instances: z.array(
    z.object({
      instanceId: z.string(),
      appId: z.string(),
      siteId: z.string().optional(),
      siteDisplayName: z.string(),
      siteUrl: z.string().optional(),
      ownerUserId: z.string().optional(),
      locale: z.string().default("en"),
      currency: z.enum(WIX_CURRENCIES),
      test: z.boolean().default(false),
      installed: z.boolean().default(true),
      installedAt: time.default("-60d"),
      uninstalledAt: time.nullable().default(null),
      plan: z
        .object({
          subscriptionId: z.string().optional(),
          packageName: z.string().default("usage_based"),
          upgradedAt: time.optional(),
          cycleStart: time,
          chargeLimit: decimal,
        })
        .nullable()
        .default(null),
    }),
  ),
});

export const fixtureSchema = z.object({
  clock: z.object({ now: time.optional(), frozen: z.boolean().default(false) }).default({ frozen: false }),
  settings: settingsPatchSchema.default({}),
  shopify: shopifyFixture.default({ partners: [], apps: [], shops: [] }),
  wix: wixFixture.default({ accounts: [], apps: [], instances: [] }),
});
