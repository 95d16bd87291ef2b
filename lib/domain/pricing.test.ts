import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Decimal } from "./money";
import { meterColumns, priceMeterUsage, projectCycleCharge, projectCycleChargeAtTrailingRate, type MeterPricing, type PlanPricing } from "./pricing";

// The seed's meter: 100 SMS included, $0.01 each after (docs/platforms/shopify.md §2.3).
const sms: MeterPricing = { handle: "sms_sent", structure: "fixed", unitPrice: "0.01", includedUnits: "100", currency: "USD" };
// docs/platforms/shopify.md §2.3 worked example: 1-100 at $10, 101-200 at $9, 201+ at $8.
const tiers = [
  { upTo: "100", unitPrice: "10" },
  { upTo: "200", unitPrice: "9" },
  { upTo: null, unitPrice: "8" },
];
const graduated: MeterPricing = { handle: "api_calls", structure: "graduated", unitPrice: "0", tiers, currency: "USD" };
const volume: MeterPricing = { ...graduated, structure: "volume" };
const plan: PlanPricing = { handle: "sms-pro", monthlyFee: "9.99", currency: "USD", meters: [sms, { ...graduated, handle: "mms_sent" }] };

const price = (meter: MeterPricing, quantity: string) => priceMeterUsage(meter, quantity).toFixed();

describe("priceMeterUsage", () => {
  it("bills 250 SMS as $1.50 with 100 included (the seed's example)", () => {
    expect(price(sms, "250")).toBe("1.5");
    expect(price(sms, "100")).toBe("0");
    expect(price(sms, "40")).toBe("0");
  });

  it("prices each graduated tier separately: 150 units cost $1,450", () => {
    expect(price(graduated, "150")).toBe("1450");
    expect(price(graduated, "250")).toBe(String(100 * 10 + 100 * 9 + 50 * 8));
  });

  it("prices every unit at the volume tier the total falls in: 150 units cost $1,350", () => {
    expect(price(volume, "150")).toBe("1350");
    expect(price(volume, "100")).toBe("1000");
    expect(price(volume, "201")).toBe("1608");
  });

  it("keeps sub-cent prices exact ($0.001 x 1,250 = $1.25, not 1.2500000000000002)", () => {
    expect(price({ ...sms, unitPrice: "0.001", includedUnits: "0" }, "1250")).toBe("1.25");
    expect(price({ ...sms, unitPrice: "0.0033", includedUnits: "0" }, "3")).toBe("0.0099");
  });

  it("deducts included units before graduated tiers", () => {
    const meter: MeterPricing = { ...graduated, includedUnits: "50" };
    expect(price(meter, "50")).toBe("0");
    expect(price(meter, "200")).toBe("1450"); // 150 billable units
  });

  it("adds a tier's flat amount once the tier is used", () => {
    const meter: MeterPricing = {
      ...graduated,
      tiers: [
        { upTo: "10", unitPrice: "0", flatAmount: "5" },
        { upTo: null, unitPrice: "1", flatAmount: "2" },
      ],
    };
    expect(price(meter, "0")).toBe("0");
    expect(price(meter, "3")).toBe("5");
    expect(price(meter, "12")).toBe("9");
    expect(price({ ...meter, structure: "volume" }, "12")).toBe("14");
  });

  it("reads a fixed meter written as Shopify's two tiers the same way", () => {
    const asTiers: MeterPricing = {
      handle: "sms_sent",
      structure: "graduated",
      unitPrice: "0",
      currency: "USD",
      tiers: [
        { upTo: "100", unitPrice: "0.00" },
        { upTo: null, unitPrice: "0.01" },
      ],
    };
    fc.assert(fc.property(fc.integer({ min: 0, max: 1_000_000 }), (n) => priceMeterUsage(asTiers, String(n)).eq(priceMeterUsage(sms, String(n)))));
  });

  it("never charges less for more usage", () => {
    fc.assert(
      fc.property(fc.constantFrom(sms, graduated, volume), fc.nat(5000), fc.nat(5000), (meter, a, b) =>
        priceMeterUsage(meter, String(Math.min(a, b))).lte(priceMeterUsage(meter, String(Math.max(a, b)))),
      ),
    );
  });

  it("refuses broken configurations and negative usage instead of guessing", () => {
    expect(() => price({ ...graduated, tiers: [{ upTo: "100", unitPrice: "1" }] }, "150")).toThrow(/last tier/);
    expect(() =>
      price(
        {
          ...graduated,
          tiers: [
            { upTo: "200", unitPrice: "1" },
            { upTo: "100", unitPrice: "1" },
            { upTo: null, unitPrice: "1" },
          ],
        },
        "1",
      ),
    ).toThrow(/increasing/);
    expect(() => price({ ...graduated, tiers: [] }, "1")).toThrow(/no valid tiers/);
    expect(() => price(sms, "-1")).toThrow(/negative/);
  });
});

describe("projectCycleCharge", () => {
  it("adds the monthly fee to each meter's charge", () => {
    const cycle = projectCycleCharge(plan, { sms_sent: "250", mms_sent: "150" });
    expect(cycle.meters.map((m) => [m.handle, m.billableUnits.toFixed(), m.charge.toFixed()])).toEqual([
      ["sms_sent", "150", "1.5"],
      ["mms_sent", "150", "1450"],
    ]);
    expect(cycle.usageCharge.toFixed()).toBe("1451.5");
    expect(cycle.total.toFixed()).toBe("1461.49");
  });

  it("shows the fee alone when there is no usage, and lists handles no meter knows", () => {
    const cycle = projectCycleCharge(plan, new Map([["SMS_SENT", "10"]]));
    expect(cycle.total.toFixed()).toBe("9.99");
    expect(cycle.unmatchedHandles).toEqual(["SMS_SENT"]);
  });

  it("refuses meters in another currency than their plan", () => {
    expect(() => projectCycleCharge({ ...plan, currency: "EUR" }, {})).toThrow(/priced in USD/);
  });

  it("projects usage at its trailing 7-day rate to the cycle end, then prices it; nothing in the first day", () => {
    const cycle = { start: new Date("2026-01-05T00:00:00Z"), end: new Date("2026-02-04T00:00:00Z") };
    const now = new Date("2026-01-20T00:00:00Z"); // 15 days in, 15 to go
    // 150 so far, 70 of them in the last 7 days: 10 a day, 150 more by the end.
    const { current, projected } = projectCycleChargeAtTrailingRate(plan, new Map([["sms_sent", "150"]]), new Map([["sms_sent", "70"]]), cycle, now);
    expect(current.total.toFixed()).toBe("10.49");
    expect(projected!.meters[0]?.quantity.toFixed()).toBe("300");
    expect(projected!.total.toFixed()).toBe(new Decimal("9.99").plus("2").toFixed());
    const early = projectCycleChargeAtTrailingRate(
      plan,
      new Map([["sms_sent", "150"]]),
      new Map([["sms_sent", "150"]]),
      cycle,
      new Date("2026-01-05T23:59:00Z"),
    );
    expect([early.current.total.toFixed(), early.projected]).toEqual(["10.49", null]);
  });
});

describe("meterColumns", () => {
  it("stores a tiered meter's first tier price as its unit price, whatever unit price came with it", () => {
    // Shopify's activeSubscription sends tiered meters with unit price "0" (toPlanPricing).
    expect(meterColumns({ structure: "graduated", unitPrice: "0", includedUnits: "0", tiers })).toEqual({
      unitPrice: "10",
      includedUnits: "0",
      tiers: tiers.map((t) => ({ ...t, flatAmount: "0" })),
    });
    expect(meterColumns({ structure: "volume", tiers: [{ upTo: null, unitPrice: "0.005", flatAmount: "1" }] }).unitPrice).toBe("0.005");
  });

  it("keeps a fixed meter's own price and included units, with no tiers", () => {
    expect(meterColumns({ structure: "fixed", unitPrice: "0.01", includedUnits: "100", tiers: null })).toEqual({
      unitPrice: "0.01",
      includedUnits: "100",
      tiers: null,
    });
    expect(meterColumns({ structure: "fixed", unitPrice: new Decimal("0.001"), includedUnits: new Decimal(5), tiers: [] })).toEqual({
      unitPrice: "0.001",
      includedUnits: "5",
      tiers: null,
    });
  });

  it("falls back to the other price, then to 0", () => {
    expect(meterColumns({ structure: "fixed", tiers: [{ upTo: null, unitPrice: "0.02" }] }).unitPrice).toBe("0.02");
    expect(meterColumns({ structure: "graduated", unitPrice: "0.03", tiers: [] }).unitPrice).toBe("0.03");
    expect(meterColumns({ structure: "fixed" })).toEqual({ unitPrice: "0", includedUnits: "0", tiers: null });
  });
});
