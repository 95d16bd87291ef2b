import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { deliveryStory, type DeliveryFacts, type DeliveryKind, type DeliveryStateName, type VerdictName } from "./delivery-story";
import { EXPLAINED_CODES, explainCode } from "./platform-codes";

const KINDS: DeliveryKind[] = ["shopify_usage", "wix_billing_event", "wix_usage"];
const STATES: DeliveryStateName[] = ["received", "held", "queued", "sending", "accepted", "retrying", "failed", "outcome_unknown", "voided"];
const VERDICTS: (VerdictName | null)[] = [null, "billable", "non_billable", "failed"];
const SOURCES: DeliveryFacts["source"][] = ["api", "import"];

/** Every combination of kind × state × attempts (none, some, counted but not recorded) × verdict × source. */
function* combinations(): Generator<DeliveryFacts> {
  for (const kind of KINDS)
    for (const state of STATES)
      for (const verdict of VERDICTS)
        for (const source of SOURCES)
          for (const [attemptCount, attemptsRecorded] of [
            [0, 0],
            [1, 1],
            [3, 3],
            [8, 0],
          ] as const)
            for (const nextAttemptPlanned of [false, true])
              yield {
                kind,
                state,
                attemptCount,
                attemptsRecorded,
                platformVerdict: verdict,
                platformCode: verdict === "failed" ? "NO_SUBSCRIPTION" : null,
                verdictSource: verdict ? "sandbox_log" : null,
                nextAttemptPlanned,
                source,
              };
}

const base: DeliveryFacts = {
  kind: "shopify_usage",
  state: "accepted",
  attemptCount: 1,
  attemptsRecorded: 1,
  platformVerdict: null,
  platformCode: null,
  verdictSource: null,
  nextAttemptPlanned: false,
  source: "api",
};

describe("what the event page says about delivery", () => {
  it("never says accepted beside no attempt, nor 'not sent yet' for an event that went out", () => {
    let n = 0;
    for (const f of combinations()) {
      const s = deliveryStory(f);
      n++;
      const label = `${JSON.stringify(f)} → ${JSON.stringify(s)}`;
      if (f.attemptsRecorded === 0) expect(s.label, label).not.toBe("accepted");
      if (f.state === "accepted" || f.attemptsRecorded > 0 || f.attemptCount > 0 || f.kind === "wix_usage")
        expect(s.attempts, label).not.toMatch(/not sent yet/i);
      if (f.attemptsRecorded > 0) expect(s.attempts, label).toContain(`${f.attemptsRecorded} attempt`);
      expect(s.summary.length, label).toBeGreaterThan(10);
      expect(s.summary, label).not.toMatch(/undefined|null|NaN/);
      expect(s.attempts, label).not.toMatch(/undefined|null|NaN/);
    }
    expect(n).toBe(KINDS.length * STATES.length * VERDICTS.length * SOURCES.length * 4 * 2);
  });

  it("a verdict from the platform wins over a delivery that looked lost or failed", () => {
    for (const state of ["failed", "outcome_unknown"] as const) {
      const s = deliveryStory({ ...base, state, platformVerdict: "billable" });
      expect(s.label).toBe("delivered");
      expect(s.summary).toMatch(/Shopify's record has it: Shopify counts it as billable/);
      expect(s.waiting).toBe(false);
    }
  });

  it("says plainly what each ordinary case is", () => {
    expect(deliveryStory({ ...base, attemptsRecorded: 0, attemptCount: 1, source: "import", platformVerdict: "billable" })).toMatchObject({
      label: "imported",
      summary: "Delivered outside this dashboard and imported with its history; Shopify counts it as billable.",
      attempts: "None recorded here: it was sent before it was imported.",
    });
    expect(deliveryStory({ ...base })).toMatchObject({
      label: "accepted",
      waiting: true,
      summary: expect.stringMatching(/Shopify accepted it; Shopify decides whether to bill it later/),
    });
    expect(deliveryStory({ ...base, state: "queued", attemptCount: 0, attemptsRecorded: 0 })).toMatchObject({
      label: "queued",
      attempts: "Not sent yet: it is queued.",
    });
    expect(deliveryStory({ ...base, state: "queued", attemptCount: 2, attemptsRecorded: 2 }).summary).toBe(
      "Queued to be sent again with the same idempotency key, after 2 earlier attempts.",
    );
    expect(deliveryStory({ ...base, state: "held", attemptCount: 0, attemptsRecorded: 0 })).toMatchObject({
      label: "held",
      attempts: "None: held events are not sent.",
    });
    expect(deliveryStory({ ...base, state: "failed", attemptCount: 8, attemptsRecorded: 0, source: "import" }).attempts).toBe(
      "None recorded here: the 8 attempts were made before the event was imported.",
    );
    expect(deliveryStory({ ...base, state: "failed", platformVerdict: "failed", platformCode: "NOT_INSTALLED" }).summary).toMatch(
      /^Shopify refused to bill it \(NOT_INSTALLED\)\./,
    );
    expect(deliveryStory({ ...base, state: "outcome_unknown", kind: "wix_billing_event" }).summary).toMatch(/Not resent \(Wix has no idempotency key\)/);
  });

  it("Wix usage is never 'sent': Wix pulls it at invoice time", () => {
    const waiting = deliveryStory({ ...base, kind: "wix_usage", attemptCount: 0, attemptsRecorded: 0 });
    expect(waiting).toMatchObject({ label: "awaiting invoice", waiting: false });
    expect(waiting.attempts).toMatch(/none are expected: Wix asks for usage through the Custom Charges plugin/);
    expect(
      deliveryStory({ ...base, kind: "wix_usage", attemptsRecorded: 0, platformVerdict: "non_billable", platformCode: "OVER_CHARGE_LIMIT" }),
    ).toMatchObject({
      label: "not billed",
      summary: "Wix did not bill it (OVER_CHARGE_LIMIT).",
    });
  });
});

describe("platform codes in words", () => {
  const docs = ["shopify", "wix"].map((d) => fs.readFileSync(path.resolve(import.meta.dirname, `../../docs/platforms/${d}.md`), "utf8")).join("\n");

  it("every code the ledger can store is explained, with what to do, and listed in docs/platforms", () => {
    for (const code of [
      "NO_SUBSCRIPTION",
      "ACCOUNT_FROZEN",
      "SUBSCRIPTION_NOT_METERED",
      "INVALID_TIMESTAMP",
      "IDEMPOTENCY_KEY_ERROR",
      "INVALID_VALUE",
      "MISSING_VALUE_KEY",
      "PERIOD_CLOSED",
      "INVALID_ACCOUNT",
      "NOT_INSTALLED",
      "OVER_CHARGE_LIMIT",
      "BELOW_MINIMUM_CHARGE",
      "BELOW_MINOR_UNIT",
      "NO_PRICE",
      "FAILED_PRECONDITION",
      "DELIVERY_FAILED",
    ]) {
      expect(EXPLAINED_CODES, code).toContain(code);
    }
    for (const code of EXPLAINED_CODES) {
      const e = explainCode(code, "shopify")!;
      expect(e.todo.length, code).toBeGreaterThan(10);
      expect(e.link, code).toMatch(/^https:\/\/(shopify\.dev|dev\.wix\.com)\//);
      expect(docs, `${code} in docs/platforms`).toContain(`\`${code}\``);
    }
  });

  it("an unknown code still says where to look, and no code means no explanation", () => {
    expect(explainCode("CAP_REACHED", "shopify")).toMatchObject({ code: "CAP_REACHED", todo: expect.stringMatching(/Dev Dashboard log/) });
    expect(explainCode(null, "wix")).toBeNull();
  });
});
