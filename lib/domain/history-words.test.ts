import { describe, expect, it } from "vitest";
import { historyLine, personActors, type People } from "./history-words";

const people: People = new Map([["admin@example.com", { name: "Ada Admin", email: "admin@example.com" }]]);
const line = (fromState: string | null, toState: string, actor: string, reason: string | null) => historyLine({ fromState, toState, actor, reason }, people);

describe("an event's history in words", () => {
  it("names the person for human actions", () => {
    expect(line("held", "queued", "admin@example.com", "sent anyway: checked the plan")).toEqual({
      who: "Ada Admin (admin@example.com)",
      person: true,
      what: "Sent it anyway (queued): checked the plan",
    });
    expect(line("held", "queued", "admin@example.com", "sent anyway").what).toBe("Sent it anyway (queued)");
    expect(line("failed", "queued", "gone@example.com", "retried: 503 looked passing")).toEqual({
      who: "gone@example.com",
      person: true,
      what: "Retried it with the same key: 503 looked passing",
    });
    expect(line("accepted", "accepted", "admin@example.com", "verdict marked by hand: PERIOD_CLOSED — read off the Dev Dashboard").what).toBe(
      "Marked the platform's verdict by hand: PERIOD_CLOSED — read off the Dev Dashboard",
    );
    expect(line("held", "voided", "admin@example.com", "voided by #12: typo").what).toBe("Voided it: void entry #12: typo");
  });

  it("says what the worker and the platform did", () => {
    expect(line("queued", "sending", "worker host:42", "attempt 1")).toEqual({ who: "the delivery worker", person: false, what: "Sent it (attempt 1)" });
    expect(line("sending", "accepted", "worker host:42", "accepted; billing verdict follows in the Dev Dashboard log").what).toBe(
      "The platform accepted it; billing verdict follows in the Dev Dashboard log",
    );
    expect(line("sending", "retrying", "worker host:42", "retry in 2 s: 503 SERVER_ERROR: down").what).toBe(
      "The attempt did not go through (503 SERVER_ERROR: down); retried in 2 s with the same key",
    );
    expect(line("sending", "retrying", "worker host:42", "lease expired: resending with the same idempotency key").what).toBe(
      "The worker stopped mid-send; it is sent again with the same key",
    );
    expect(line("accepted", "accepted", "worker host:42", "verdict: NO_SUBSCRIPTION (sandbox_log)").what).toBe(
      "Platform verdict recorded: NO_SUBSCRIPTION, from the sandbox's Dev Dashboard log",
    );
    expect(line("accepted", "accepted", "wix invoice inv-1", "verdict: non_billable (wix_invoice)")).toEqual({
      who: "Wix (invoice inv-1)",
      person: false,
      what: "Platform verdict recorded: not billable, from a Wix invoice",
    });
    expect(line("received", "queued", "ingest", "shop looked up; predicted billable")).toMatchObject({
      who: "the shop lookup",
      what: "Queued once the shop was known: shop looked up; predicted billable",
    });
  });

  it("collects the people to look up once", () => {
    expect(personActors([{ actor: "Admin@example.com" }, { actor: "worker a:1" }, { actor: "admin@example.com" }])).toEqual(["admin@example.com"]);
  });
});
