/**
 * Every platform verdict or error code the ledger stores, explained for the person reading an
 * event: what it means and what to do about it. The meanings are the platforms' (see the cited
 * sections; each has its public link there), the advice is ours. An unknown code is shown as it
 * came, with a pointer to the platform's log.
 */
export type CodeExplanation = { code: string; meaning: string; todo: string; doc: string; link: string };

const SHOPIFY_DOC = "docs/platforms/shopify.md §1.10";
const WIX_DOC = "docs/platforms/wix.md §6.1";
const SUC = "https://shopify.dev/docs/apps/launch/billing/shopify-app-pricing/subscription-billing/setup-usage-charges";
const AE = "https://shopify.dev/docs/api/app-events/latest/creating-events";
const D_ERR = "https://dev.wix.com/docs/rest/articles/getting-started/errors";
const D_CC = "https://dev.wix.com/docs/build-apps/launch-your-app/pricing-and-billing/set-up-a-usage-based-business-model";

const entries: CodeExplanation[] = [];
const add = (code: string, meaning: string, todo: string, doc: string, link: string) => entries.push({ code, meaning, todo, doc, link });

// Shopify's billing result codes (Dev Dashboard log, asynchronous).
add(
  "NO_SUBSCRIPTION",
  "The merchant has no active App Pricing subscription for the app.",
  "Ask the merchant to pick a plan (the app's plan page); usage sent before that is never billed. Send it again only inside the new subscription's cycle.",
  SHOPIFY_DOC,
  SUC,
);
add(
  "ACCOUNT_FROZEN",
  "Your Shopify partner account is frozen.",
  "Resolve the account's standing with Shopify Partner support; nothing bills until then.",
  SHOPIFY_DOC,
  SUC,
);
add(
  "SUBSCRIPTION_NOT_METERED",
  "The merchant's plan has no usage pricing, so usage cannot be charged.",
  "Add a usage meter to the plan in the Partner Dashboard, or move the merchant to a plan with one.",
  SHOPIFY_DOC,
  SUC,
);
add(
  "INVALID_TIMESTAMP",
  "The timestamp is missing, malformed, more than 5 minutes ahead, or outside the current billing cycle.",
  "Send the time the usage happened, in UTC, inside the shop's current cycle; check the sender's clock.",
  SHOPIFY_DOC,
  AE,
);
add(
  "IDEMPOTENCY_KEY_ERROR",
  "The idempotency key is missing, invalid or already used for another event.",
  "Give every distinct usage its own key (at most 64 characters); reuse a key only to resend the same event.",
  SHOPIFY_DOC,
  AE,
);
add(
  "INVALID_VALUE",
  "The usage value is zero, negative or not a number.",
  "Send a number above 0 in attributes.value; record zero usage by sending nothing.",
  SHOPIFY_DOC,
  AE,
);
add("MISSING_VALUE_KEY", "The event's attributes have no value.", "Put the quantity in attributes.value.", SHOPIFY_DOC, AE);
add(
  "PERIOD_CLOSED",
  "The billing period of the timestamp is closed, or the event came more than 24 hours after the app was uninstalled.",
  "It cannot be billed any more: send usage before the cycle ends. Record it as lost revenue, or correct it if it was sent with the wrong time.",
  SHOPIFY_DOC,
  SUC,
);
add(
  "INVALID_ACCOUNT",
  "The app or partner account is not valid or not authorized for billing.",
  "Check the connection's app credentials and that the app uses Shopify App Pricing.",
  SHOPIFY_DOC,
  SUC,
);
// Shopify's HTTP answers to the App Events API.
add(
  "NOT_INSTALLED",
  "Shopify answered 403: the app is not installed on this shop.",
  "Check the shop id; an uninstalled shop's usage is billable only within 24 hours of the uninstall.",
  SHOPIFY_DOC,
  AE,
);
add(
  "UNAUTHORIZED",
  "Shopify refused the app's credentials (401).",
  "Check or rotate the connection's client id and secret under Settings → Connections, then retry.",
  SHOPIFY_DOC,
  AE,
);
add("FORBIDDEN", "Shopify refused the request (403).", "Check the app's access to the App Events API and the shop id, then retry.", SHOPIFY_DOC, AE);
add(
  "INVALID_REQUEST",
  "Shopify refused the body (400): a field is missing or malformed.",
  "Fix the field named in the error and send a corrected event.",
  SHOPIFY_DOC,
  AE,
);
add(
  "RATE_LIMITED",
  "Too many requests (429): the platform asked us to slow down.",
  "Nothing: the worker waits as asked and resends with the same key.",
  SHOPIFY_DOC,
  AE,
);
add(
  "IN_FLIGHT",
  "Shopify answered 409: a request with the same key is still being processed.",
  "Nothing: the worker resends shortly with the same key.",
  SHOPIFY_DOC,
  AE,
);
add(
  "SERVER_ERROR",
  "The platform failed on its side (5xx).",
  "Nothing at first: the worker retries with backoff. If it lasts, check the platform's status page.",
  SHOPIFY_DOC,
  AE,
);
add(
  "UNEXPECTED_RESPONSE",
  "The platform's answer was not in the documented shape.",
  "Read the response under the attempt; retry once the platform answers normally.",
  SHOPIFY_DOC,
  AE,
);
add(
  "TIMEOUT",
  "No answer came in time.",
  "Nothing for Shopify events: they are resent with the same key. For Wix, check Wix's record before retrying.",
  SHOPIFY_DOC,
  AE,
);
add(
  "NETWORK",
  "The connection to the platform failed.",
  "Usually passing: the worker retries. If it lasts, check the connection's API address.",
  SHOPIFY_DOC,
  AE,
);
add(
  "DELIVERY_FAILED",
  "Every delivery attempt failed without a platform verdict.",
  "Read the last attempt's error below, fix its cause, then retry with the same key.",
  SHOPIFY_DOC,
  AE,
);
// Wix's standard errors (Report External Billing Event).
add(
  "FAILED_PRECONDITION",
  "Wix refused the billing event (428): the app or instance is not in a state that allows it.",
  "Check that the app is an approved Partner Billed App and the instance exists and is upgraded.",
  WIX_DOC,
  D_ERR,
);
add("UNAUTHENTICATED", "Wix refused the token (401).", "Check the connection's app secret or API key, then retry.", WIX_DOC, D_ERR);
add(
  "PERMISSION_DENIED",
  "Wix refused the request (403): the app lacks the permission.",
  "Grant the billing permission to the app in Wix's developer center, then retry.",
  WIX_DOC,
  D_ERR,
);
add("NOT_FOUND", "Wix does not know the instance (404).", "Check the instance id; the site may have removed the app.", WIX_DOC, D_ERR);
add("INVALID_ARGUMENT", "Wix refused a field (400).", "Fix the field named in the error and send a corrected event.", WIX_DOC, D_ERR);
add(
  "UNAVAILABLE",
  "Wix is unavailable for now (503).",
  "Nothing at first: the worker retries. Wix events with no answer are not resent blindly.",
  WIX_DOC,
  D_ERR,
);
add(
  "NOT_CONFIGURED",
  "The connection lacks what this send needs (credentials or the instance).",
  "Complete the connection under Settings → Connections, then retry.",
  WIX_DOC,
  D_ERR,
);
// What a Wix invoice said about usage we offered through Custom Charges.
add(
  "OVER_CHARGE_LIMIT",
  "Over the site's charge limit for the cycle, so Wix did not bill it.",
  "Only the site owner can raise the limit; Wix forbids billing it in a later cycle. Tell the merchant before the limit is reached.",
  WIX_DOC,
  D_CC,
);
add(
  "CHARGE_LIMIT_EXCEEDED",
  "The charges offered added up to more than the site's charge limit.",
  "The site owner can raise the limit; until then Wix keeps asking and bills what fits.",
  WIX_DOC,
  D_CC,
);
add(
  "TOO_MANY_CHARGES",
  "More than 5 charges were offered for one invoice.",
  "Group usage into at most 5 charges per invoice (the dashboard does this).",
  WIX_DOC,
  D_CC,
);
add(
  "BELOW_MINIMUM_CHARGE",
  "The cycle's usage of this kind stayed below Wix's 0.50 minimum per charge.",
  "Nothing to fix: it is not billed. Price usage so a cycle's charge reaches 0.50.",
  WIX_DOC,
  D_CC,
);
add(
  "BELOW_MINOR_UNIT",
  "A fraction of the currency's smallest unit, which Wix cuts off.",
  "Nothing to fix: amounts below one cent (or one yen) are not billed.",
  WIX_DOC,
  D_CC,
);
add(
  "NO_PRICE",
  "The connection's price list has no price for this usage kind in the site's currency.",
  "Add the price under Settings → Connections; usage already invoiced without it is not billed.",
  WIX_DOC,
  D_CC,
);

const byCode = new Map(entries.map((e) => [e.code, e]));

export const EXPLAINED_CODES = [...byCode.keys()];

/** The explanation of a platform code, or a plain pointer for one we do not know. */
export function explainCode(code: string | null | undefined, platform: "shopify" | "wix"): CodeExplanation | null {
  if (!code) return null;
  const known = byCode.get(code.toUpperCase());
  if (known) return known;
  return platform === "shopify"
    ? {
        code,
        meaning: "A code this dashboard does not know yet; Shopify's own text is shown beside it.",
        todo: "Look the event up in the Dev Dashboard log (Logs → App Billing Event).",
        doc: SHOPIFY_DOC,
        link: SUC,
      }
    : {
        code,
        meaning: "A code this dashboard does not know yet; Wix's own text is shown beside it.",
        todo: "Check the event in Wix's developer center.",
        doc: WIX_DOC,
        link: D_ERR,
      };
}
