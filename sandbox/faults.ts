// Fault injection per route, so clients can test their retries: a share of 5xx answers,
// timeouts (no answer, then the connection drops), 429s, and slow answers.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { json, pathMatches, type Reply } from "./http";

const rate = z.number().min(0).max(1).default(0);

export const faultSchema = z
  .object({
    /** "/app/*\/events", "POST /apps/v1/**", "*"; `*` is one path segment, `**` the rest. */
    route: z.string().min(1),
    error5xxRate: rate,
    timeoutRate: rate,
    rate429Rate: rate,
    slowMs: z.number().int().min(0).max(120_000).default(0),
    /** Apply to the next N matching requests only (null: until cleared). */
    times: z.number().int().positive().nullable().default(null),
    status5xx: z.number().int().min(500).max(599).default(503),
  })
  .refine((f) => f.error5xxRate + f.timeoutRate + f.rate429Rate <= 1, { message: "the rates must add up to at most 1" });

export type Fault = z.infer<typeof faultSchema> & { id: string; method: string | null; pattern: string; matched: number };

export function createFault(input: z.infer<typeof faultSchema>): Fault {
  const m = /^([A-Z]+)\s+(\S+)$/.exec(input.route.trim());
  return { ...input, id: `flt_${randomUUID().slice(0, 8)}`, method: m?.[1] ?? null, pattern: m?.[2] ?? input.route.trim(), matched: 0 };
}

/** Finds the first fault for this request and counts it (removing it after `times`). */
export function takeFault(faults: Fault[], method: string, path: string): Fault | null {
  const index = faults.findIndex((f) => (f.method === null || f.method === method) && pathMatches(f.pattern, path));
  const fault = faults[index];
  if (!fault) return null;
  fault.matched += 1;
  if (fault.times !== null && fault.matched >= fault.times) faults.splice(index, 1);
  return fault;
}

export type FaultOutcome = { kind: "pass" } | { kind: "hold" } | { kind: "reply"; reply: Reply };

/** Rolls the dice once: timeout, 5xx, 429 or pass (slowness is applied by the caller first). */
export function rollFault(fault: Fault, path: string, roll = Math.random()): FaultOutcome {
  if (roll < fault.timeoutRate) return { kind: "hold" };
  if (roll < fault.timeoutRate + fault.error5xxRate) return { kind: "reply", reply: serverError(fault.status5xx, platformOf(path)) };
  if (roll < fault.timeoutRate + fault.error5xxRate + fault.rate429Rate) return { kind: "reply", reply: tooMany(platformOf(path)) };
  return { kind: "pass" };
}

export type Platform = "shopify" | "wix" | "other";

export function platformOf(path: string): Platform {
  if (path.startsWith("/oauth2/") || path.startsWith("/apps/")) return "wix";
  if (path.startsWith("/auth/") || path.startsWith("/app/") || path.startsWith("/admin/") || /\/api\/[^/]+\/graphql\.json$/.test(path)) return "shopify";
  return "other";
}

function serverError(status: number, platform: Platform): Reply {
  if (platform === "wix") return json(status, { message: "Service Unavailable", details: {} });
  return json(status, { success: false, error: "Internal Server Error" });
}

function tooMany(platform: Platform): Reply {
  if (platform === "wix") {
    return json(429, {
      message: "Too Many Requests",
      details: { applicationError: { code: "RESOURCE_EXHAUSTED", description: "Too Many Requests", data: {} } },
    });
  }
  return json(429, { success: false, error: "Rate limit exceeded" });
}
