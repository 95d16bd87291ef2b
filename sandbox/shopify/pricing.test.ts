import { describe, expect, it } from "vitest";
import type { Meter } from "../state";
import { meterCost, meterTiers } from "./pricing";

const suTiers = [
  { upTo: 100, amountPerUnit: "10", amount: "0" },
  { upTo: 200, amountPerUnit: "9", amount: "0" },
  { upTo: null, amountPerUnit: "8", amount: "0" },
];
const meter = (m: Partial<Meter>): Meter => ({ handle: "m", name: "M", structure: "FIXED", unitPrice: null, includedUnits: 0, tiers: [], ...m });

describe("App Pricing meter math (docs/platforms/shopify.md §2.3 worked examples)", () => {
  it("fixed with included units: 250 SMS, 100 included, $0.01 -> $1.50", () => {
    expect(meterCost(meter({ unitPrice: "0.01", includedUnits: 100 }), 250).toFixed(2)).toBe("1.50");
    expect(meterCost(meter({ unitPrice: "0.01", includedUnits: 100 }), 80).toFixed(2)).toBe("0.00");
  });

  it("graduated: 150 units -> 100 x 10 + 50 x 9 = $1,450", () => {
    expect(meterCost(meter({ structure: "GRADUATED", tiers: suTiers }), 150).toFixed(2)).toBe("1450.00");
    expect(meterCost(meter({ structure: "GRADUATED", tiers: suTiers }), 250).toFixed(2)).toBe(String(1000 + 900 + 400) + ".00");
  });

  it("volume: 150 units all at the tier containing 150 -> $1,350", () => {
    expect(meterCost(meter({ structure: "VOLUME", tiers: suTiers }), 150).toFixed(2)).toBe("1350.00");
    expect(meterCost(meter({ structure: "VOLUME", tiers: suTiers }), 100).toFixed(2)).toBe("1000.00");
  });

  it("stays exact with fractional quantities and sub-cent prices", () => {
    expect(meterCost(meter({ unitPrice: "0.001" }), 1250).toFixed(2)).toBe("1.25");
    expect(meterCost(meter({ unitPrice: "0.1" }), "0.3").toString()).toBe("0.03");
  });

  it("shows a fixed meter with included units as a $0 tier then the unit price (the documented example)", () => {
    expect(meterTiers(meter({ unitPrice: "0.01", includedUnits: 100 }))).toEqual({
      tiersMode: "GRADUATED",
      tiers: [
        { upTo: 100, amountPerUnit: "0.00", amount: "0.00" },
        { upTo: null, amountPerUnit: "0.01", amount: "0.00" },
      ],
    });
  });
});
