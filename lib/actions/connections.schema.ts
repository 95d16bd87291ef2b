import { z } from "zod";

const optionalText = z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.string().trim().max(4000).optional());
const url = z.url("Enter a full URL, e.g. https://api.shopify.com").refine((u) => /^https?:\/\//.test(u), "Use http:// or https://");

export const createConnectionSchema = z
  .object({
    name: z.string().trim().min(1, "Name the connection.").max(100),
    platform: z.enum(["shopify", "wix"], "Choose Shopify or Wix."),
    environment: z.enum(["live", "sandbox"], "Choose live or sandbox."),
    apiBaseUrl: url,
    partnerApiUrl: z.preprocess((v) => (v === "" ? undefined : v), url.optional()),
    clientId: z.string().trim().min(1, "Enter the client id (Shopify) or app id (Wix).").max(200),
    clientSecret: z.string().min(1, "Enter the client secret (Shopify) or app secret (Wix).").max(500),
    appGid: optionalText,
    partnerApiToken: optionalText,
    apiKey: optionalText,
    accountId: optionalText,
    pluginPublicKey: optionalText,
    defaultChargeLimit: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z
        .string()
        .regex(/^\d{1,12}(\.\d{1,2})?$/, "A positive amount such as 50.00")
        .optional(),
    ),
  })
  .superRefine((c, ctx) => {
    if (c.platform === "shopify" && c.appGid && !/^gid:\/\/shopify\/App\/\d+$/.test(c.appGid)) {
      ctx.addIssue({ code: "custom", path: ["appGid"], message: "Shopify app GIDs look like gid://shopify/App/1234" });
    }
    if (c.platform === "wix" && c.pluginPublicKey && !c.pluginPublicKey.includes("BEGIN PUBLIC KEY")) {
      ctx.addIssue({ code: "custom", path: ["pluginPublicKey"], message: "Paste the PEM public key (-----BEGIN PUBLIC KEY-----…)" });
    }
    if (c.platform === "wix" && c.apiKey && !c.accountId) {
      ctx.addIssue({ code: "custom", path: ["accountId"], message: "An API key needs the Wix account id it belongs to." });
    }
  });

const id = z.uuid("Unknown connection.");
const optionalUrl = z.preprocess((v) => (v === "" ? null : v), url.nullish());

/** Name and URLs; secrets change only through a rotation, which checks them first. */
export const updateConnectionSchema = z.object({
  id,
  name: z.string().trim().min(1, "Name the connection.").max(100),
  apiBaseUrl: url,
  partnerApiUrl: optionalUrl,
  alertWebhookUrl: optionalUrl,
  /** Shopify: what an event whose attributes look like personal data gets. Left out: unchanged. */
  personalDataMode: z.enum(["refuse", "warn"], "Choose refuse or hold with a warning.").optional(),
});

export const rotateSecretSchema = z.object({
  id,
  secret: z.enum(["clientSecret", "partnerApiToken"], "Choose which secret to rotate."),
  value: z.string().trim().min(1, "Paste the new secret.").max(500),
});

export const connectionIdSchema = z.object({ id });
export const setEnabledSchema = z.object({ id, enabled: z.boolean() });
