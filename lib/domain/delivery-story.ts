/**
 * What an event's delivery state, attempts and platform verdict say together, in words. The
 * ledger can hold combinations a bare state name gets wrong: an imported history row is
 * "accepted" with no attempt recorded here; Wix usage is never sent by us (Wix pulls it through
 * Custom Charges at invoice time, docs/platforms/wix.md §5.4); a verdict read from the platform's
 * log can arrive on an event whose own send got no answer (docs/platforms/shopify.md §1.7). One
 * pure function decides the badge, the sentence and what the attempts card says, for the event
 * page and the Events list alike.
 */

export type DeliveryKind = "shopify_usage" | "wix_billing_event" | "wix_usage";
export type DeliveryStateName = "received" | "held" | "queued" | "sending" | "accepted" | "retrying" | "failed" | "outcome_unknown" | "voided";
export type VerdictName = "billable" | "non_billable" | "failed";
type Tone = "green" | "red" | "amber" | "zinc" | "indigo";

export type DeliveryFacts = {
  kind: DeliveryKind;
  state: DeliveryStateName;
  /** The event's attempt counter (an import may set it without attempt rows). */
  attemptCount: number;
  /** Delivery attempts recorded in this ledger (rows). */
  attemptsRecorded: number;
  platformVerdict: VerdictName | null;
  platformCode: string | null;
  verdictSource: string | null;
  /** Set while another attempt is planned (retrying, or Shopify's outcome unknown). */
  nextAttemptPlanned: boolean;
  source: "ui" | "api" | "import" | "scenario";
};

export type DeliveryStory = {
  /** Short words for the badge (the Events list and the event page). */
  label: string;
  tone: Tone;
  /** One or two sentences: what happened, what happens next. */
  summary: string;
  /** What the attempts card says: under the list, or instead of it when there is none. */
  attempts: string;
  /** Something is still expected from the worker or the platform. */
  waiting: boolean;
};

const platformName = (kind: DeliveryKind) => (kind === "shopify_usage" ? "Shopify" : "Wix");
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/** The platform's verdict in words, or null when there is none yet. */
function verdictWords(f: Pick<DeliveryFacts, "kind" | "platformVerdict" | "platformCode">): string | null {
  const who = platformName(f.kind);
  if (f.platformVerdict === "billable") return f.kind === "wix_usage" ? "Wix billed it on an invoice" : `${who} counts it as billable`;
  if (f.platformVerdict === "non_billable") {
    if (f.kind === "wix_usage") return `Wix did not bill it${f.platformCode ? ` (${f.platformCode})` : ""}`;
    return `${who} recorded it as not billable${f.platformCode ? ` (${f.platformCode})` : ""}`;
  }
  if (f.platformVerdict === "failed") return `${who} refused to bill it${f.platformCode ? ` (${f.platformCode})` : ""}`;
  return null;
}

const VERDICT_FROM: Record<string, string> = {
  sandbox_log: "the sandbox's Dev Dashboard log",
  imported_file: "an imported log file",
  person: "a person, by hand",
  wix_invoice: "a Wix invoice",
  platform_response: "the platform's answer",
};

export const verdictSourceWords = (source: string | null) => (source ? (VERDICT_FROM[source] ?? source.replaceAll("_", " ")) : null);

export function deliveryStory(f: DeliveryFacts): DeliveryStory {
  const who = platformName(f.kind);
  const verdict = verdictWords(f);
  const n = f.attemptsRecorded;
  const listed = n > 0 ? `${plural(n, "attempt")} recorded here.` : "";
  const story = (s: Omit<DeliveryStory, "attempts"> & { attempts?: string }): DeliveryStory => ({ ...s, attempts: s.attempts ?? listed });

  // Wix usage is pulled by Wix (Custom Charges): there is no send, so no attempt, ever.
  if (f.kind === "wix_usage") {
    const none = n ? listed : "None, and none are expected: Wix asks for usage through the Custom Charges plugin when it invoices the site; we never send it.";
    if (f.state === "voided")
      return story({
        label: "voided",
        tone: "zinc",
        summary: "Voided: never offered to Wix, left out of the charts and totals.",
        attempts: none,
        waiting: false,
      });
    if (verdict)
      return story({
        label: f.platformVerdict === "billable" ? "invoiced" : "not billed",
        tone: f.platformVerdict === "billable" ? "green" : "amber",
        summary: `${verdict}.`,
        attempts: none,
        waiting: false,
      });
    return story({
      label: "awaiting invoice",
      tone: "indigo",
      summary: "Recorded. Wix asks for it at the end of the site's billing cycle, when it invoices; the verdict comes with the invoice.",
      attempts: none,
      waiting: false,
    });
  }

  switch (f.state) {
    case "received":
      return story({
        label: "received",
        tone: "zinc",
        summary: "Taken in, not sent yet: the shop is not known yet and is being looked up on the Partner API; then the event is queued or held.",
        attempts: n ? listed : "None yet: nothing is sent until the shop is known.",
        waiting: true,
      });
    case "held":
      return story({
        label: "held",
        tone: "amber",
        summary: "Held, not sent: it is predicted to fail. An operator can send it anyway or void it.",
        attempts: n ? listed : "None: held events are not sent.",
        waiting: false,
      });
    case "voided":
      return story({
        label: "voided",
        tone: "zinc",
        summary: "Voided: never sent, left out of the charts and totals.",
        attempts: n ? listed : "None: it was voided before any send.",
        waiting: false,
      });
    case "queued":
      return n || f.attemptCount
        ? story({
            label: "queued",
            tone: "indigo",
            summary: `Queued to be sent again with the same idempotency key, after ${plural(Math.max(n, f.attemptCount), "earlier attempt")}.`,
            waiting: true,
          })
        : story({
            label: "queued",
            tone: "indigo",
            summary: "Queued: the delivery worker sends it next.",
            attempts: "Not sent yet: it is queued.",
            waiting: true,
          });
    case "sending":
      return story({
        label: "sending",
        tone: "indigo",
        summary: `Being sent now (attempt ${Math.max(f.attemptCount, n + 1)}).`,
        attempts: n
          ? `${listed} The attempt under way is recorded when its answer comes.`
          : "The first attempt is under way; it is recorded when its answer comes.",
        waiting: true,
      });
    case "retrying":
      return story({
        label: "retrying",
        tone: "amber",
        summary: n
          ? `The last attempt did not go through; it is sent again with the same idempotency key${f.nextAttemptPlanned ? " at the time shown" : ""}.`
          : "The worker stopped while sending; it is sent again with the same idempotency key.",
        attempts: n ? listed : "None recorded: the worker that sent it stopped before the answer came.",
        waiting: true,
      });
    case "outcome_unknown":
      if (verdict)
        return story({
          label: f.platformVerdict === "failed" ? "refused" : "delivered",
          tone: f.platformVerdict === "failed" ? "red" : "green",
          summary: `No answer came to our send, but ${who}'s record has it: ${verdict}.`,
          waiting: false,
        });
      if (f.kind === "shopify_usage") {
        return f.nextAttemptPlanned
          ? story({
              label: "outcome unknown",
              tone: "amber",
              summary: "No answer came; Shopify may have it. It is resent with the same idempotency key, so it is counted once.",
              waiting: true,
            })
          : story({
              label: "outcome unknown",
              tone: "amber",
              summary: "No answer after every attempt: Shopify may have it. Check the Dev Dashboard log (import it on Reconcile).",
              waiting: false,
            });
      }
      return story({
        label: "outcome unknown",
        tone: "amber",
        summary: "No answer came; Wix may have recorded it. Not resent (Wix has no idempotency key): reconciliation with Wix decides.",
        waiting: false,
      });
    case "failed":
      if (f.platformVerdict && f.platformVerdict !== "failed")
        return story({
          label: "delivered",
          tone: "green",
          summary: `Our delivery recorded a failure, but ${who}'s record has it: ${verdict}.`,
          waiting: false,
        });
      if (f.platformVerdict === "failed")
        return story({
          label: "failed",
          tone: "red",
          summary: `${verdict}. Fix the cause below, then retry with the same key if it should be billed.`,
          waiting: false,
        });
      return story({
        label: "failed",
        tone: "red",
        summary: `Not delivered after ${plural(Math.max(n, f.attemptCount), "attempt")}. Retry with the same idempotency key once the cause is fixed.`,
        attempts: n
          ? listed
          : f.attemptCount
            ? `None recorded here: the ${plural(f.attemptCount, "attempt")} were made before the event was imported.`
            : "None recorded.",
        waiting: false,
      });
    case "accepted": {
      const imported = n === 0;
      const delivered = imported
        ? f.source === "import"
          ? `Delivered outside this dashboard and imported with its history`
          : `Recorded as delivered, with no attempt recorded here`
        : f.kind === "shopify_usage"
          ? "Shopify accepted it"
          : "Wix recorded it";
      const attempts = imported ? (f.source === "import" ? "None recorded here: it was sent before it was imported." : "None recorded here.") : listed;
      const label = imported ? (f.source === "import" ? "imported" : "recorded") : "accepted";
      if (verdict)
        return story({ label, tone: f.platformVerdict === "failed" ? "red" : "green", summary: `${delivered}; ${verdict}.`, attempts, waiting: false });
      if (f.kind === "shopify_usage")
        return story({
          label,
          tone: "green",
          summary: `${delivered}; Shopify decides whether to bill it later and shows that only in its Dev Dashboard log.`,
          attempts,
          waiting: true,
        });
      return story({ label, tone: "green", summary: `${delivered}.`, attempts, waiting: false });
    }
  }
}
