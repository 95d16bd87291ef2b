import fc from "fast-check";
import { assert, describe, expect, it } from "vitest";
import { DomainError } from "./errors";
import { Decimal } from "./money";
import { buildListChargesResponse, chargeId, type ListChargesInput, type UsageLine } from "./wix-charges";

const period = { start: new Date("2026-01-05T00:00:00.000Z"), end: new Date("2026-02-05T00:00:00.000Z") };
const base: ListChargesInput = { instanceId: "7dd21ebc-a097-43ac-8763-2806daee84a1", currency: "USD", period, lines: [], chargeLimit: "50.00" };
const line = (kind: string, amount: string, description = `${kind} usage`): UsageLine => ({ kind, description, quantity: "1", amount });
const build = (overrides: Partial<ListChargesInput>) => buildListChargesResponse({ ...base, ...overrides });
const sum = (values: Decimal[]) => values.reduce((a, b) => a.plus(b), new Decimal(0));

describe("buildListChargesResponse", () => {
  it("answers with one charge per kind, amounts as strings at cents", () => {
    const result = build({ lines: [line("sms", "12.5", "1,250 SMS messages"), line("mms", "2")] });
    expect(result.charges).toEqual([
      {
        id: expect.any(String),
        description: "1,250 SMS messages",
        amount: "12.50",
        usagePeriod: { startDate: "2026-01-05T00:00:00.000Z", endDate: "2026-02-04T23:59:59.000Z" },
      },
      { id: expect.any(String), description: "mms usage", amount: "2.00", usagePeriod: expect.any(Object) },
    ]);
    expect(result.total.toFixed(2)).toBe("14.50");
    expect(result.carried).toEqual([]);
  });

  it("truncates fractions of a cent and carries them instead of losing them", () => {
    const result = build({ lines: [line("sms", "1.239")] });
    expect(result.charges[0]?.amount).toBe("1.23");
    expect(result.carried).toEqual([{ kind: "sms", amount: new Decimal("0.009"), reason: "minor_unit" }]);
  });

  it("carries charges under 0.50 rather than sending what Wix would reject", () => {
    const result = build({ lines: [line("sms", "10"), line("mms", "0.49"), line("mms", "0.009")] });
    expect(result.charges.map((c) => c.amount)).toEqual(["10.00"]);
    expect(result.carried).toEqual([{ kind: "mms", amount: new Decimal("0.499"), reason: "below_minimum" }]);
  });

  it("stays below the remaining charge limit and carries what does not fit", () => {
    const result = build({ lines: [line("sms", "40"), line("mms", "15"), line("mail", "5")], alreadyCharged: "10" });
    // 50 limit - 10 already charged = 40 room; the total must stay below it.
    expect(result.charges.map((c) => [c.description, c.amount])).toEqual([["sms usage (part; the charge limit is reached)", "39.99"]]);
    expect(result.total.toFixed(2)).toBe("39.99");
    expect(result.remainingLimit.toFixed(2)).toBe("0.01");
    expect(result.carried).toEqual([
      { kind: "sms", amount: new Decimal("0.01"), reason: "charge_limit" },
      { kind: "mms", amount: new Decimal("15"), reason: "charge_limit" },
      { kind: "mail", amount: new Decimal("5"), reason: "charge_limit" },
    ]);
  });

  it("may reach the limit exactly when told that Wix accepts it", () => {
    const result = build({ lines: [line("sms", "60")], limitInclusive: true });
    expect(result.charges[0]?.amount).toBe("50.00");
    expect(result.remainingLimit.isZero()).toBe(true);
  });

  it("charges nothing once the limit is used up", () => {
    const result = build({ lines: [line("sms", "5")], alreadyCharged: "49.60" });
    expect(result.charges).toEqual([]);
    expect(result.carried).toEqual([{ kind: "sms", amount: new Decimal("5"), reason: "charge_limit" }]);
  });

  it("merges the smallest kinds into 'Other usage' when there are more than 5", () => {
    const lines = ["a:9", "b:8", "c:7", "d:6", "e:0.30", "f:0.30", "g:0.25"].map((s) => {
      const [kind = "", amount = ""] = s.split(":");
      return line(kind, amount, `${kind} things`);
    });
    const result = build({ lines, chargeLimit: "1000" });
    expect(result.charges).toHaveLength(5);
    expect(result.charges.map((c) => c.amount)).toEqual(["9.00", "8.00", "7.00", "6.00", "0.85"]);
    expect(result.charges[4]?.description).toBe("Other usage: e things, f things, g things");
    const other = result.charges[4]?.id;
    expect(result.allocations.filter((a) => a.chargeId === other).map((a) => [a.kind, a.amount.toFixed(2)])).toEqual([
      ["e", "0.30"],
      ["f", "0.30"],
      ["g", "0.25"],
    ]);
  });

  it("says which kinds each charge bills, down to the part that fits under the limit", () => {
    const result = build({ lines: [line("sms", "30"), line("mms", "25.50")] });
    expect(result.allocations.map((a) => [a.chargeId === result.charges[0]?.id, a.kind, a.amount.toFixed(2)])).toEqual([
      [true, "sms", "30.00"],
      [false, "mms", "19.99"],
    ]);
  });

  it("answers in whole yen for JPY", () => {
    const result = build({ currency: "JPY", chargeLimit: "10000", lines: [line("sms", "1250.75")] });
    expect(result.charges[0]?.amount).toBe("1250");
    expect(result.carried[0]?.amount.toFixed()).toBe("0.75");
  });

  it("refuses a currency Wix does not support", () => {
    expect(() => build({ currency: "CHF" })).toThrow(DomainError);
    expect(() => build({ currency: "CHF" })).toThrow(/AUD, BRL, CAD/);
  });

  it("refuses negative usage amounts", () => {
    expect(() => build({ lines: [line("sms", "-1")] })).toThrow(/negative/);
  });

  it("gives the same kind in the same period the same id, and a new one after a rejection", () => {
    const first = build({ lines: [line("sms", "10")] }).charges[0]?.id;
    assert(first, "the first build gives a charge");
    expect(build({ lines: [line("sms", "11")] }).charges[0]?.id).toBe(first);
    expect(first.length).toBeLessThanOrEqual(64);
    expect(first).toMatch(/^20260105-sms-[0-9a-f]{12}$/);
    const retried = build({ lines: [line("sms", "10")], rejectedChargeIds: [first] }).charges[0]?.id;
    assert(retried, "the build after a rejection gives a charge");
    expect(retried).toBe(`${first}-r2`);
    expect(build({ lines: [line("sms", "10")], rejectedChargeIds: [first, retried] }).charges[0]?.id).toBe(`${first}-r3`);
    expect(chargeId("other-instance", period, "sms")).not.toBe(first);
    expect(chargeId(base.instanceId, { ...period, start: new Date("2026-01-06T00:00:00Z") }, "sms")).not.toBe(first);
    expect(chargeId(base.instanceId, period, "x".repeat(200)).length).toBeLessThanOrEqual(64);
  });

  it("always obeys Wix's rules and accounts for every cent", () => {
    const amount = fc.bigInt({ min: 0n, max: 10n ** 13n }).map((n) => new Decimal(n.toString()).dividedBy(1e10).toFixed());
    const lines = fc.array(fc.record({ kind: fc.constantFrom("a", "b", "c", "d", "e", "f", "g", "h"), amount }), { maxLength: 12 });
    fc.assert(
      fc.property(
        lines,
        fc.constantFrom("USD", "JPY", "EUR"),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 0, max: 500 }),
        (ls, currency, limit, already) => {
          const result = build({ currency, lines: ls.map((l) => line(l.kind, l.amount)), chargeLimit: String(limit), alreadyCharged: String(already) });
          const amounts = result.charges.map((c) => new Decimal(c.amount));
          const digits = currency === "JPY" ? 0 : 2;
          expect(result.charges.length).toBeLessThanOrEqual(5);
          for (const a of amounts) {
            expect(a.gte("0.50")).toBe(true);
            expect(a.decimalPlaces()).toBeLessThanOrEqual(digits);
          }
          expect(sum(amounts).lt(new Decimal(limit).minus(already)) || amounts.length === 0).toBe(true);
          expect(
            sum(amounts)
              .plus(sum(result.carried.map((c) => c.amount)))
              .eq(sum(ls.map((l) => new Decimal(l.amount)))),
          ).toBe(true);
          expect(new Set(result.charges.map((c) => c.id)).size).toBe(result.charges.length);
          for (const c of result.charges) {
            expect(sum(result.allocations.filter((a) => a.chargeId === c.id).map((a) => a.amount)).eq(c.amount)).toBe(true);
          }
        },
      ),
    );
  });
});
