import { describe, expect, it } from "vitest";
import { bucketStarts, offsetMinutes, parseLocalDate, resolveRange, safeTimeZone, startOfZonedDay, zonedDate } from "./dashboard-range";

const at = (iso: string) => new Date(iso);

describe("dashboard ranges in the viewer's time zone", () => {
  it("accepts IANA zones and falls back to UTC for anything else", () => {
    expect(safeTimeZone("Europe/Paris")).toBe("Europe/Paris");
    expect(safeTimeZone("Mars/Olympus")).toBe("UTC");
    expect(safeTimeZone("'; DROP TABLE x; --")).toBe("UTC");
    expect(safeTimeZone(undefined)).toBe("UTC");
  });

  it("knows offsets, including half-hour zones and DST", () => {
    expect(offsetMinutes(at("2026-01-15T12:00:00Z"), "Asia/Kolkata")).toBe(330);
    expect(offsetMinutes(at("2026-01-15T12:00:00Z"), "America/New_York")).toBe(-300);
    expect(offsetMinutes(at("2026-07-15T12:00:00Z"), "America/New_York")).toBe(-240);
  });

  it("finds local midnight", () => {
    expect(startOfZonedDay(at("2026-11-03T02:00:00Z"), "America/New_York").toISOString()).toBe("2026-11-02T05:00:00.000Z");
    expect(startOfZonedDay(at("2026-11-03T20:00:00Z"), "Asia/Kolkata").toISOString()).toBe("2026-11-03T18:30:00.000Z");
    expect(zonedDate(at("2026-11-03T20:00:00Z"), "Asia/Kolkata")).toBe("2026-11-04");
    expect(parseLocalDate("2026-02-30", "UTC")).toBeNull();
  });

  it("makes day buckets of 23 and 25 hours across DST changes", () => {
    const days = bucketStarts({ from: at("2026-03-07T05:00:00Z"), to: at("2026-03-10T04:00:00Z"), bucket: "day", tz: "America/New_York" });
    expect(days.map((d) => d.toISOString())).toEqual(["2026-03-07T05:00:00.000Z", "2026-03-08T05:00:00.000Z", "2026-03-09T04:00:00.000Z"]);
  });

  it("resolves presets and custom ranges", () => {
    const now = at("2026-11-22T10:17:00Z");
    const d30 = resolveRange({ range: "30d" }, now, "Europe/Paris");
    expect(d30).toMatchObject({ bucket: "day", to: now });
    expect(d30.from.toISOString()).toBe("2026-10-23T22:00:00.000Z");
    expect(bucketStarts(d30)).toHaveLength(30);
    const h24 = resolveRange({ range: "24h" }, now, "UTC");
    expect(bucketStarts(h24)).toHaveLength(24);
    const h1 = resolveRange({ range: "1h" }, now, "UTC");
    expect(bucketStarts(h1)).toHaveLength(12);
    const custom = resolveRange({ range: "custom", from: "2026-11-01", to: "2026-11-02" }, now, "UTC");
    expect(custom).toMatchObject({ bucket: "hour", from: at("2026-11-01T00:00:00Z"), to: at("2026-11-03T00:00:00Z") });
    expect(resolveRange({ range: "custom", from: "2026-11-05", to: "2026-11-01" }, now, "UTC").key).toBe("30d");
  });
});

describe("filter bounds", () => {
  it("reads instants, local wall times and local dates", async () => {
    const { parseBound, zonedInputValue } = await import("./dashboard-range");
    expect(parseBound("2026-11-03T10:00:00.000Z", "Asia/Kolkata")?.toISOString()).toBe("2026-11-03T10:00:00.000Z");
    expect(parseBound("2026-11-03T10:00", "Asia/Kolkata")?.toISOString()).toBe("2026-11-03T04:30:00.000Z");
    expect(parseBound("2026-11-03", "Europe/Paris")?.toISOString()).toBe("2026-11-02T23:00:00.000Z");
    expect(parseBound("2026-11-03", "Europe/Paris", true)?.toISOString()).toBe("2026-11-03T23:00:00.000Z");
    expect(parseBound("2026-11-03T25:00", "UTC")).toBeNull();
    expect(parseBound("yesterday", "UTC")).toBeNull();
    expect(zonedInputValue(new Date("2026-11-03T04:30:00Z"), "Asia/Kolkata")).toBe("2026-11-03T10:00");
  });
});

describe("ranges across a daylight-saving change", () => {
  it("30 days in New York after the November change still start 29 local days before today", () => {
    // 2026-11-22 04:07 UTC is 2026-11-21 23:07 in New York; clocks fell back on 2026-11-01.
    const range = resolveRange({ range: "30d" }, new Date("2026-11-22T04:07:00Z"), "America/New_York");
    expect(range.from.toISOString()).toBe("2026-10-23T04:00:00.000Z");
    expect(bucketStarts(range)).toHaveLength(30);
  });
});
