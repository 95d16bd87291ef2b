// Rules of the legacy GraphQL Admin Billing API (docs/platforms/shopify.md §3): subscriptions that a merchant
// approves through a confirmation URL, usage records counted against a capped amount per
// 30-day period, cap raises that need approval, 2-day expiry of unapproved charges.
import { createHash } from "node:crypto";
import { Decimal } from "../money";
import type { LegacyStatus, LegacySubscription, OneTimePurchase, ShopifyState } from "../state";
import { iso } from "./model";

const PENDING_EXPIRY_MS = 2 * 86_400_000;

export type UserError = { field: string[] | null; message: string };

export const subscriptionGid = (id: string) => `gid://shopify/AppSubscription/${id}`;
export const lineItemGid = (id: string, index: number) => `gid://shopify/AppSubscriptionLineItem/${id}?v=1&index=${index}`;
export const usageRecordGid = (id: string) => `gid://shopify/AppUsageRecord/${id}`;
export const oneTimeGid = (id: string) => `gid://shopify/AppPurchaseOneTime/${id}`;

export function parseLineItemGid(gid: string): { subscriptionId: string; index: number } | null {
  const m = /^gid:\/\/shopify\/AppSubscriptionLineItem\/(\d+)\?v=1&index=(\d+)$/.exec(gid);
  return m?.[1] && m[2] ? { subscriptionId: m[1], index: Number(m[2]) } : null;
}

export function parseSubscriptionGid(gid: string): string | null {
  return /^gid:\/\/shopify\/AppSubscription\/(\d+)$/.exec(gid)?.[1] ?? null;
}

/** Status as of now: a charge not approved within two days has EXPIRED. */
export function statusAt(sub: LegacySubscription, nowMs: number): LegacyStatus {
  if (sub.status === "PENDING" && nowMs - Date.parse(sub.createdAt) > PENDING_EXPIRY_MS) return "EXPIRED";
  return sub.status;
}

/** The current 30-day period since activation (null unless active). */
export function currentPeriod(sub: LegacySubscription, nowMs: number, cycleDays: number): { startMs: number; endMs: number } | null {
  if (sub.status !== "ACTIVE" || !sub.activatedAt) return null;
  const len = cycleDays * 86_400_000;
  const start = Date.parse(sub.activatedAt);
  const index = Math.max(0, Math.floor((nowMs - start) / len));
  return { startMs: start + index * len, endMs: start + (index + 1) * len };
}

/** Usage charged on a line item in the current period. */
export function balanceUsed(st: ShopifyState, sub: LegacySubscription, lineIndex: number, nowMs: number, cycleDays: number): Decimal {
  const period = currentPeriod(sub, nowMs, cycleDays);
  if (!period) return new Decimal(0);
  return st.usageRecords
    .filter((r) => r.subscriptionId === sub.id && r.lineIndex === lineIndex && Date.parse(r.createdAt) >= period.startMs)
    .reduce((sum, r) => sum.plus(r.price.amount), new Decimal(0));
}

export function confirmationSignature(charge: Pick<LegacySubscription, "id" | "shopId" | "createdAt">): string {
  return createHash("sha256").update(`${charge.id}|${charge.shopId}|${charge.createdAt}`).digest("hex").slice(0, 40);
}

/** A one-time charge not approved within two days has EXPIRED, like a subscription. */
export function oneTimeStatusAt(p: OneTimePurchase, nowMs: number): OneTimePurchase["status"] {
  return p.status === "PENDING" && nowMs - Date.parse(p.createdAt) > PENDING_EXPIRY_MS ? "EXPIRED" : p.status;
}

export function approveOneTime(p: OneTimePurchase, nowMs: number): UserError | null {
  const status = oneTimeStatusAt(p, nowMs);
  if (status === "ACTIVE") return null;
  if (status !== "PENDING") return { field: null, message: `The charge is ${status.toLowerCase()} and can no longer be approved` };
  p.status = "ACTIVE";
  return null;
}

/** The merchant approves: the charge becomes ACTIVE and replaces the app's other active one. */
export function approve(st: ShopifyState, sub: LegacySubscription, nowMs: number): UserError | null {
  const status = statusAt(sub, nowMs);
  if (status === "ACTIVE") return null;
  if (status !== "PENDING") return { field: null, message: `The charge is ${status.toLowerCase()} and can no longer be approved` };
  for (const other of st.legacySubscriptions) {
    if (other !== sub && other.appClientId === sub.appClientId && other.shopId === sub.shopId && other.status === "ACTIVE") other.status = "CANCELLED";
  }
  sub.status = "ACTIVE";
  sub.activatedAt = iso(nowMs);
  return null;
}

/** Applies a cap raise the merchant approved. */
export function approveCappedAmount(sub: LegacySubscription): boolean {
  let applied = false;
  for (const item of sub.lineItems) {
    if (item.kind === "usage" && item.pendingCappedAmount) {
      item.cappedAmount = item.pendingCappedAmount;
      item.pendingCappedAmount = null;
      applied = true;
    }
  }
  return applied;
}

/** Shopify prints decimals like Ruby's BigDecimal: "1.5", "50.0", "9.99". */
export function shopifyDecimal(value: Decimal.Value): string {
  const d = new Decimal(value);
  return d.isInteger() ? d.toFixed(1) : d.toString();
}
