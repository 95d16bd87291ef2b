import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { DomainError } from "./domain/errors";
import { assertMeterPricing } from "./domain/pricing";
import { AppError, describeFailure } from "./errors";
import { PlatformError } from "./platforms/errors";

/** A real pino logger writing JSON lines into memory: what an operator would grep. */
function memoryLog() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { log: pino({ level: "info" }, sink), lines };
}

describe("what a person is told when something fails", () => {
  it("a domain refusal thrown in a service shows its own message at its field, and nothing is logged as an error", () => {
    const { log, lines } = memoryLog();
    let thrown: unknown;
    try {
      assertMeterPricing({
        handle: "emails",
        structure: "graduated",
        tiers: [
          { upTo: "100", unitPrice: "0.01" },
          { upTo: "50", unitPrice: "0.02" },
          { upTo: null, unitPrice: "0.005" },
        ],
      });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    const { status, body } = describeFailure(thrown, log, {}, "server action failed");
    expect(status).toBe(422);
    expect(body.error).toBe("Tier limits of emails must be positive and increasing");
    expect(body.fieldErrors).toEqual({ tiers: ["Tier limits of emails must be positive and increasing"] });
    expect(body.ref).toBeUndefined();
    expect(lines).toEqual([]);
  });

  it("a domain refusal without a field is the form's error", () => {
    const { log } = memoryLog();
    const { body } = describeFailure(new DomainError("CURRENCY_MISMATCH", "Cannot add EUR to USD"), log, {}, "x");
    expect(body).toEqual({ error: "Cannot add EUR to USD", code: "CURRENCY_MISMATCH", fieldErrors: undefined });
  });

  it("an AppError keeps its HTTP status, message and field errors", () => {
    const { log } = memoryLog();
    expect(describeFailure(new AppError("CONFLICT", "This plan exists.", { handle: ["taken"] }), log, {}, "x")).toEqual({
      status: 409,
      body: { error: "This plan exists.", code: "CONFLICT", fieldErrors: { handle: ["taken"] } },
    });
  });

  it("a platform's refusal names the platform", () => {
    const { log } = memoryLog();
    const err = new PlatformError({ platform: "wix", status: 503, code: "UNAVAILABLE", message: "Wix is down for maintenance", retryable: true });
    expect(describeFailure(err, log, {}, "x")).toMatchObject({
      status: 502,
      body: { error: "Wix did not accept the call: Wix is down for maintenance", code: "PLATFORM_UNAVAILABLE" },
    });
  });

  it("an unexpected error shows only a reference id, and the same id is on the server log line with the error", () => {
    const { log, lines } = memoryLog();
    const { status, body } = describeFailure(new Error('relation "secret_table" does not exist'), log, { url: "/api/events" }, "read route failed");
    expect(status).toBe(500);
    expect(body.ref).toMatch(/^[0-9A-F]{8}$/);
    expect(body.error).toContain(`reference ${body.ref}`);
    expect(body.error).not.toContain("secret_table");
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as { level: number; ref: string; msg: string; url: string; err: { message: string } };
    expect(line).toMatchObject({ level: 50, ref: body.ref, msg: "read route failed", url: "/api/events" });
    expect(line.err.message).toContain("secret_table");
  });

  it("two unexpected errors get two references", () => {
    const { log } = memoryLog();
    const a = describeFailure(new Error("a"), log, {}, "x").body.ref;
    const b = describeFailure(new Error("a"), log, {}, "x").body.ref;
    expect(a).not.toBe(b);
  });
});
