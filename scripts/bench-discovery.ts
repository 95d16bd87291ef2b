/**
 * Discovery at scale: the sandbox gets 10,000 Shopify merchants (installed over 299 days, on
 * sms-pro), then one worker's discovery backfills them from the Partner API events at the
 * configured pace (DISCOVERY_RATE_PER_SECOND, default 4/s), timed. Then, on that database:
 * the Shops page's queries (first page, a deep page, a search) p95, and ingest throughput of
 * batches where 10 % of the events are for shops nobody knows yet, against all-known batches,
 * alternating, as a ratio in the same run. Then 5,000 Wix sites install: 4,500 are found by
 * their AppInstalled webhooks (sent by the sandbox to the real app, which reads each from the App
 * Instance API), 500 by their first ingest event (an App Instance lookup each), timed. Last, the
 * Shops & instances page over HTTP from `next start`, signed in, at 10,000 shops + 5,000
 * instances: first pages, deep pages and a search, p95 against 300 ms.
 *   npm run build && npm run bench:discovery [-- --shops 10000] [-- --instances 5000] [-- --smoke]
 * Needs Postgres on 127.0.0.1:5432 (or TEST_DATABASE_URL) and a built app (`next build`). The
 * sandbox and the app run in their own processes (ports BENCH_DISCOVERY_SANDBOX_PORT, default
 * 4530, and BENCH_DISCOVERY_APP_PORT, default 4540).
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startLedgerEnv } from "../lib/testing/ledger-env";
import { signIn, stats } from "./bench-helpers";
import { BenchReport, cannotMeasure, smoke, stopOnUnexpectedErrors, waitForHttp } from "./bench-report";

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
};
const SHOPS = Number(arg("shops") ?? (smoke ? 500 : 10_000));
const INSTANCES = Number(arg("instances") ?? (smoke ? 200 : 5_000));
const BY_INGEST = Math.round(INSTANCES / 10);
const ROUNDS = smoke ? 2 : 5;
const BATCH = smoke ? 200 : 1000;
const HTTP_RUNS = smoke ? 10 : 30;
const WIX_APP_ID = "cc59f2e7-7a40-4cbf-a78a-ac6e83d17e96";
process.env.LOG_LEVEL = "silent";
stopOnUnexpectedErrors();
if (!fs.existsSync(".next/BUILD_ID")) cannotMeasure("the app is not built: run `npm run build` first (the Shops page is measured over HTTP from `next start`)");

const report = new BenchReport("bench:discovery");
const fmt = (n: number) => n.toLocaleString("en-US");
const ms = (x: number) => `${x.toFixed(1)} ms`;

// The sandbox runs in its own process, as Shopify would: its work is not this process's CPU.
const sandboxPort = Number(process.env.BENCH_DISCOVERY_SANDBOX_PORT ?? 4530);
const appPort = Number(process.env.BENCH_DISCOVERY_APP_PORT ?? 4540);
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-discovery-"));
const sandbox = spawn(process.execPath, ["--import", "tsx", "sandbox/server.ts"], {
  env: { ...process.env, SANDBOX_PORT: String(sandboxPort), SANDBOX_STATE_FILE: path.join(stateDir, "state.json") },
  stdio: "ignore",
});
let app: ReturnType<typeof spawn> | null = null;
// However the run ends (a miss, or a stop with cannotMeasure), the servers it started end with it.
process.on("exit", () => {
  app?.kill("SIGTERM");
  sandbox.kill("SIGTERM");
});
const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
const appUrl = `http://127.0.0.1:${appPort}`;
await waitForHttp(`${sandboxUrl}/_sandbox/health`, "the sandbox", 30_000, () => sandbox.exitCode !== null);
const env = await startLedgerEnv({ sandboxUrl });
await report.machine(process.env.DATABASE_URL);
const sandboxPost = async (p: string, body: unknown, method = "POST") => {
  const res = await fetch(`${sandboxUrl}${p}`, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) cannotMeasure(`${method} ${p}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
};
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

try {
  const { discoverShops } = await import("../lib/services/discovery/shopify");
  const { listShopPage } = await import("../lib/db/shops-page");
  const { ingestEvents } = await import("../lib/services/ingest/ingest");
  const { lookUpPendingInstances } = await import("../lib/services/discovery/wix-received");
  const { env: config } = await import("../lib/env");

  // ---- Shopify: the backfill ----------------------------------------------------------------
  await sandboxPost("/_sandbox/shopify/shops/generate", {
    count: SHOPS,
    firstId: "9000000000",
    installedAt: "-299d",
    spreadSeconds: 298 * 86_400,
    plan: "sms-pro",
  });
  const before = await env.db.shop.count();
  const started = performance.now();
  let pages = 0;
  let events = 0;
  for (let round = 0; round < 50; round++) {
    const s = await discoverShops("bench", { connectionId: env.shopifyConnectionId });
    pages += s.pages;
    events += s.events;
    if (s.errors)
      cannotMeasure(`a discovery round failed: ${(await env.db.connection.findUniqueOrThrow({ where: { id: env.shopifyConnectionId } })).discoveryError}`);
    if ((await env.db.connection.findUniqueOrThrow({ where: { id: env.shopifyConnectionId } })).discoveryBackfilledAt) break;
  }
  const seconds = (performance.now() - started) / 1000;
  const shops = await env.db.shop.count();
  report.info(
    `backfill of ${fmt(SHOPS)} merchants`,
    `${seconds.toFixed(1)} s: ${fmt(events)} events in ${pages} pages of ≤ 250 at ${config().DISCOVERY_RATE_PER_SECOND} requests/s (${(pages / config().DISCOVERY_RATE_PER_SECOND).toFixed(1)} s of it is the pace)`,
  );
  report.check("every merchant is a shop", `${fmt(shops - before)} new`, fmt(SHOPS), shops - before === SHOPS);
  const sample = await env.db.shop.findUnique({ where: { connectionId_shopId: { connectionId: env.shopifyConnectionId, shopId: "9000000000" } } });
  const inCycle = !!sample?.cycleStart && !!sample.cycleEnd && sample.cycleStart.getTime() <= Date.now() && Date.now() < sample.cycleEnd.getTime();
  report.check(
    "a merchant has its plan, current cycle and install",
    `${sample?.planHandle} ${sample?.installState} ${sample?.cycleStart?.toISOString()}`,
    "sms-pro, installed, cycle holds now",
    sample?.planHandle === "sms-pro" && inCycle && sample.installState === "installed",
  );

  // The Shops page's queries at this size (in process).
  let cursor: string | undefined;
  for (let i = 0; i < Math.min(100, Math.floor(shops / 50) - 1); i++) cursor = (await listShopPage({ after: cursor })).nextCursor ?? undefined;
  const first = await stats(30, () => listShopPage({}));
  const deep = await stats(30, () => listShopPage({ after: cursor }));
  const search = await stats(30, () => listShopPage({ q: "bench-shop-7777" }));
  const found = await listShopPage({ q: "9000000123" });
  report.check("search by shop id finds the one shop", `${found.rows.length} row`, "1", found.rows.length === 1 && found.rows[0]!.shopId === "9000000123");
  report.figure(
    `shops queries at ${fmt(shops)} shops, p95 (first, page ~100, search)`,
    `${ms(first.p95)}, ${ms(deep.p95)}, ${ms(search.p95)}`,
    "≤ 300 ms",
    Math.max(first.p95, deep.p95, search.p95) <= 300,
  );

  // ---- ingest: all-known batches against batches with 10 % unknown shops, alternating ---------
  const at = new Date(Date.now() - 60_000).toISOString();
  let serial = 0;
  const batch = (unknownShare: number) =>
    Array.from({ length: BATCH }, (_, i) => {
      serial += 1;
      const unknown = i < BATCH * unknownShare;
      return {
        platform: "shopify",
        connection_id: env.shopifyConnectionId,
        event_handle: "sms_sent",
        timestamp: at,
        attributes: { value: 1 },
        shop_id: unknown ? String(9_500_000_000 + serial) : String(9_000_000_000 + (serial % SHOPS)),
        idempotency_key: `bench-${serial}`,
      };
    });
  const rate = { known: [] as number[], unknown: [] as number[] };
  let notAccepted = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (const kind of ["known", "unknown"] as const) {
      const batchEvents = batch(kind === "known" ? 0 : 0.1);
      const t = performance.now();
      const results = await ingestEvents(batchEvents, { source: "api" });
      rate[kind].push(BATCH / ((performance.now() - t) / 1000));
      notAccepted += results.filter((x) => x.status !== "accepted").length;
    }
  }
  report.check("every ingested event accepted (known and unknown shops)", `${notAccepted} not accepted`, "0", notAccepted === 0);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const ratio = median(rate.unknown) / median(rate.known);
  report.figure(
    `ingest with 10 % unknown shops vs all known (batches of ${BATCH})`,
    `${(ratio * 100).toFixed(1)} % (${fmt(Math.round(median(rate.unknown)))} vs ${fmt(Math.round(median(rate.known)))} events/s)`,
    "≥ 90 %",
    ratio >= 0.9,
  );

  // ---- the app, on its own process --------------------------------------------------------------
  app = spawn(path.resolve("node_modules/.bin/next"), ["start", "-p", String(appPort), "-H", "127.0.0.1"], {
    env: { ...process.env, APP_URL: appUrl, LOG_LEVEL: "warn" },
    stdio: "ignore",
  });
  await waitForHttp(`${appUrl}/login`, `the app (next start on ${appPort})`, 60_000, () => app!.exitCode !== null);

  // ---- Wix: sites found by their webhooks, and by their first event -----------------------------
  await sandboxPost(`/_sandbox/wix/apps/${WIX_APP_ID}`, { webhookUrl: `${appUrl}/api/wix/${env.wixConnectionId}/webhooks` }, "PUT");
  const instancesBefore = await env.db.wixInstance.count();
  const byWebhook = INSTANCES - BY_INGEST;
  const wixStarted = performance.now();
  const lookedUp = () => env.db.wixInstance.count({ where: { siteName: { startsWith: "Bench site" }, lookedUpAt: { not: null }, lookupError: null } });
  for (let added = 0; added < byWebhook; added += 500) {
    const count = Math.min(500, byWebhook - added);
    await sandboxPost(`/_sandbox/wix/apps/${WIX_APP_ID}/instances`, { count, namePrefix: `Bench site ${added / 500 + 1}` });
    // Like sites installing over time: the next 500 once most of these reached the app.
    for (let i = 0; i < 600 && (await lookedUp()) < added + Math.floor(count * 0.8); i++) await sleep(100);
  }
  // What the worker does for a site whose read after its webhook failed (the app's pool was busy): read it again.
  let byWorker = 0;
  for (let i = 0, last = -1, still = 0; i < 6000 && (await lookedUp()) < byWebhook; i++) {
    const now = await lookedUp();
    still = now === last ? still + 1 : 0;
    last = now;
    if (still >= 30) byWorker += await lookUpPendingInstances("bench worker", { limit: 500 });
    await sleep(100);
  }
  const webhookSeconds = (performance.now() - wixStarted) / 1000;
  const viaWebhook = await lookedUp();
  report.check(`Wix sites found by AppInstalled and read from the App Instance API`, `${fmt(viaWebhook)}`, fmt(byWebhook), viaWebhook === byWebhook);
  report.info(
    `${fmt(byWebhook)} sites by webhook (sandbox → app → App Instance API)`,
    `${webhookSeconds.toFixed(1)} s (${(byWebhook / webhookSeconds).toFixed(0)} sites/s; ${fmt(byWorker)} read again by the worker's lookups)`,
  );

  // Sites the app never heard of (webhooks lost): their first usage event is taken in, then looked up.
  await sandboxPost(`/_sandbox/wix/apps/${WIX_APP_ID}`, { webhookUrl: null }, "PUT");
  const quiet = (await sandboxPost(`/_sandbox/wix/apps/${WIX_APP_ID}/instances`, { count: BY_INGEST, namePrefix: "Bench site quiet" })) as { added: number };
  const listed = (await (await fetch(`${sandboxUrl}/_sandbox/wix/apps/${WIX_APP_ID}/instances`)).json()) as {
    instances: { instanceId: string; siteDisplayName: string }[];
  };
  const quietIds = listed.instances.filter((i) => i.siteDisplayName.startsWith("Bench site quiet")).map((i) => i.instanceId);
  const ingestStarted = performance.now();
  const firstEvents = quietIds.map((instanceId) => ({
    platform: "wix",
    type: "usage",
    connection_id: env.wixConnectionId,
    instance_id: instanceId,
    kind: "sms_sent",
    quantity: "10",
    timestamp: new Date(Date.now() - 60_000).toISOString(),
    idempotency_key: `bench-wix-${randomUUID()}`,
  }));
  const taken = await ingestEvents(firstEvents, { source: "api" });
  const waiting = taken.filter((r) => r.status === "accepted" && r.state === "received").length;
  report.check(
    "first events of unknown Wix sites taken in, waiting for the lookup",
    `${waiting}`,
    fmt(quiet.added),
    waiting === quiet.added && quietIds.length === quiet.added,
  );
  // The worker's lookups (the ingest started some already, after answering).
  for (let i = 0; i < 200 && (await env.db.wixInstance.count({ where: { lookupState: "pending" } })) > 0; i++) {
    await lookUpPendingInstances("bench", { limit: 500 });
  }
  const ingestSeconds = (performance.now() - ingestStarted) / 1000;
  const released = await env.db.billingEvent.count({ where: { idempotencyKey: { startsWith: "bench-wix-" }, state: "accepted", amount: { not: null } } });
  report.check("each waiting event priced once its site was found", `${fmt(released)}`, fmt(quiet.added), released === quiet.added);
  report.info(`${fmt(BY_INGEST)} sites by their first event (ingest → App Instance lookup → priced)`, `${ingestSeconds.toFixed(1)} s`);
  const instances = await env.db.wixInstance.count();
  report.check("Wix instances on the dashboard", fmt(instances), `${fmt(instancesBefore)} + ${fmt(INSTANCES)}`, instances === instancesBefore + INSTANCES);

  // ---- the Shops & instances page over HTTP, signed in ---------------------------------------
  const session = await signIn(appUrl, { email: "admin@example.com", password: "billing-demo-admin" });
  const page = async (query: string, expect: string) => {
    const res = await fetch(`${appUrl}/shops${query}`, { headers: { cookie: session } });
    const body = await res.text();
    if (!res.ok || !body.includes(expect)) cannotMeasure(`/shops${query}: HTTP ${res.status}, no "${expect}" in the page`);
    return body;
  };
  const nextLink = (body: string, what: string) => new RegExp(`<a[^>]*href="([^"]*)"[^>]*data-testid="next-${what}"`).exec(body)?.[1]?.replaceAll("&amp;", "&");
  const shopsNow = await env.db.shop.count();
  const totals = `Shopify shops (${fmt(shopsNow)})`;
  let deepQuery = "";
  for (let i = 0; i < (smoke ? 3 : 40); i++) {
    const body = await page(deepQuery, totals);
    const shopsNext = nextLink(body, "shops");
    const instancesNext = nextLink(body, "instances");
    if (!shopsNext || !instancesNext) break;
    // Both lists a page further each time: the deep page pages both.
    const s = new URL(shopsNext, appUrl).searchParams.get("shops");
    const n = new URL(instancesNext, appUrl).searchParams.get("instances");
    deepQuery = `?shops=${encodeURIComponent(s ?? "")}&instances=${encodeURIComponent(n ?? "")}`;
  }
  const firstPage = await stats(HTTP_RUNS, () => page("", `Wix instances (${fmt(instances)})`), 3);
  const deepPage = await stats(HTTP_RUNS, () => page(deepQuery, totals), 2);
  const searched = `bench-shop-${Math.min(7777, SHOPS)}`;
  const searchPage = await stats(HTTP_RUNS, () => page(`?q=${searched}`, `${searched}.myshopify.com`), 2);
  const worst = Math.max(firstPage.p95, deepPage.p95, searchPage.p95);
  report.figure(
    `Shops & instances page over HTTP at ${fmt(shopsNow)} shops + ${fmt(instances)} instances, p95`,
    `first ${ms(firstPage.p95)}, page ~40 ${ms(deepPage.p95)}, search ${ms(searchPage.p95)}`,
    "≤ 300 ms",
    worst <= 300,
  );
} finally {
  app?.kill("SIGTERM");
  await env.close();
  sandbox.kill("SIGTERM");
  fs.rmSync(stateDir, { recursive: true, force: true });
}
report.finish();
