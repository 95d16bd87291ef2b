import { describe, expect, it } from "vitest";
import { z } from "zod";
import { expectedFailure } from "../errors";
import { PlatformError, SandboxControlError } from "./errors";
import { sandboxCall } from "./sandbox-control";

const conn = { apiBaseUrl: "http://sandbox.test/", platform: "shopify" as const };
const answer = (status: number, body: string) => async () => new Response(body, { status });
const clock = z.looseObject({ now: z.string() });

async function failure(p: Promise<unknown>): Promise<SandboxControlError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SandboxControlError);
  return err as SandboxControlError;
}

describe("sandboxCall", () => {
  it("sends JSON and parses the answer with the schema", async () => {
    const seen: { url: string; init?: RequestInit }[] = [];
    const fetch = async (url: string, init?: RequestInit) => {
      seen.push({ url, init });
      return new Response(JSON.stringify({ now: "2026-01-01T00:00:00.000Z", extra: 1 }));
    };
    const body = await sandboxCall(conn, clock, "POST", "/_sandbox/clock", { body: { advanceSeconds: 60 }, query: { a: "b c" }, fetch });
    expect(body).toEqual({ now: "2026-01-01T00:00:00.000Z", extra: 1 });
    expect(seen[0]?.url).toBe("http://sandbox.test/_sandbox/clock?a=b+c");
    expect(seen[0]?.init?.body).toBe('{"advanceSeconds":60}');
    expect(await sandboxCall(conn, z.string(), "GET", "/_sandbox/key", { text: true, fetch: answer(200, "PEM") })).toBe("PEM");
  });

  it("turns a refusal into a SandboxControlError a person reads, retryable on 5xx", async () => {
    const err = await failure(sandboxCall(conn, clock, "GET", "/_sandbox/clock", { fetch: answer(503, "down for a moment") }));
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toMatchObject({ platform: "shopify", status: 503, code: "SANDBOX_REFUSED", retryable: true });
    expect(err.message).toBe("The sandbox answered 503 to GET /_sandbox/clock: down for a moment");
    expect(expectedFailure(err)).toEqual({ status: 502, body: { error: err.message, code: "PLATFORM_UNAVAILABLE" } });
    expect((await failure(sandboxCall(conn, clock, "GET", "/x", { fetch: answer(404, "no") }))).retryable).toBe(false);
  });

  it("refuses an answer that does not parse, and one that never came", async () => {
    const bad = await failure(sandboxCall(conn, clock, "GET", "/_sandbox/clock", { fetch: answer(200, '{"now":5}') }));
    expect(bad).toMatchObject({ code: "SANDBOX_BAD_ANSWER", retryable: false });
    expect(bad.message).toContain("The sandbox's answer to GET /_sandbox/clock is not what it should be");
    const lost = await failure(
      sandboxCall(conn, clock, "POST", "/_sandbox/clock", {
        fetch: async () => {
          throw new TypeError("fetch failed");
        },
      }),
    );
    expect(lost).toMatchObject({ status: null, code: "SANDBOX_NETWORK", retryable: true });
    expect(lost.message).toBe("The sandbox could not be reached (POST /_sandbox/clock): fetch failed");
  });
});
