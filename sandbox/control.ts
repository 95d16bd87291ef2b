// The control API under /_sandbox/ (README.md documents it): reset and seed, the clock,
// settings (switches), fault injection, and the platform-specific control routes.
import { z } from "zod";
import { freezeClock, nowIso, resolveTime, setClock } from "./clock";
import type { Sandbox } from "./context";
import { createFault, faultSchema } from "./faults";
import { FixtureError } from "./fixture";
import { isObject, json, ParseError, parseJson, type Reply, type Router } from "./http";
import { applySettingsPatch, settingsPatchSchema } from "./settings";
import { shopifyControlRoutes } from "./shopify/control";
import { settleDue } from "./shopify/logs";
import { runInvoices } from "./wix/billing";
import { wixControlRoutes } from "./wix/control";

const resetSchema = z.object({ now: z.string().optional(), frozen: z.boolean().optional() });
const clockSchema = z.object({ set: z.string().optional(), advanceSeconds: z.number().optional(), frozen: z.boolean().optional() });

type Parsed<T> = { ok: true; value: T } | { ok: false; reply: Reply };

function readBody<T>(raw: string, schema: z.ZodType<T>): Parsed<T> {
  const body = parseJson(raw);
  if (body instanceof ParseError) return { ok: false, reply: json(400, { error: `body is not valid JSON: ${body.message}` }) };
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
  return { ok: false, reply: json(400, { error: "invalid body", issues }) };
}

export function controlRoutes(router: Router, sb: Sandbox): void {
  router.on("GET", "/_sandbox/health", () => json(200, { ok: true, now: sb.nowIso() }));

  router.on("POST", "/_sandbox/reset", (req) => {
    const body = readBody(req.rawBody, resetSchema);
    if (!body.ok) return body.reply;
    return seedReply(sb, () => sb.reset(body.value));
  });
  router.on("POST", "/_sandbox/seed", (req) => {
    const fixture = parseJson(req.rawBody);
    if (fixture instanceof ParseError || !isObject(fixture)) return json(400, { error: "the body must be a fixture (a JSON object)" });
    return seedReply(sb, () => sb.reset({ fixture }));
  });

  router.on("GET", "/_sandbox/clock", () => json(200, clockView(sb)));
  router.on("POST", "/_sandbox/clock", async (req) => {
    const parsed = readBody(req.rawBody, clockSchema);
    if (!parsed.ok) return parsed.reply;
    const body = parsed.value;
    const clock = sb.state.clock;
    if (body.frozen !== undefined) freezeClock(clock, body.frozen);
    if (body.set !== undefined) {
      try {
        setClock(clock, resolveTime(body.set, sb.now()));
      } catch (err) {
        return json(400, { error: (err as Error).message });
      }
    }
    if (body.advanceSeconds !== undefined) setClock(clock, sb.now() + body.advanceSeconds * 1000);
    settleDue(sb.state.shopify);
    const invoiceRuns = await runInvoices(sb);
    return json(200, { ...clockView(sb), invoiceRuns: invoiceRuns.map(({ seq: _s, ...r }) => r) });
  });

  router.on("GET", "/_sandbox/settings", () => json(200, sb.state.settings));
  router.on("PATCH", "/_sandbox/settings", (req) => {
    const patch = readBody(req.rawBody, settingsPatchSchema);
    if (!patch.ok) return patch.reply;
    sb.state.settings = applySettingsPatch(sb.state.settings, patch.value);
    return json(200, sb.state.settings);
  });

  router.on("GET", "/_sandbox/faults", () => json(200, { faults: sb.faults }));
  router.on("POST", "/_sandbox/faults", (req) => {
    const input = readBody(req.rawBody, faultSchema);
    if (!input.ok) return input.reply;
    const fault = createFault(input.value);
    sb.faults.push(fault);
    return json(201, fault);
  });
  router.on("DELETE", "/_sandbox/faults", (req) => {
    const id = req.query.get("id");
    const before = sb.faults.length;
    sb.faults = id ? sb.faults.filter((f) => f.id !== id) : [];
    return json(200, { removed: before - sb.faults.length });
  });

  shopifyControlRoutes(router, sb);
  wixControlRoutes(router, sb);
}

function clockView(sb: Sandbox) {
  return { now: nowIso(sb.state.clock), frozen: sb.state.clock.frozenAtMs !== null };
}

function seedReply(sb: Sandbox, run: () => void): Reply {
  try {
    run();
  } catch (err) {
    if (err instanceof FixtureError) return json(400, { error: "invalid fixture", issues: err.issues });
    throw err;
  }
  const { shopify, wix } = sb.state;
  return json(200, {
    ok: true,
    now: sb.nowIso(),
    shopify: { apps: shopify.apps.length, shops: shopify.shops.length },
    wix: { apps: wix.apps.length, instances: wix.instances.length },
  });
}
