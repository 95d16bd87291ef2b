// Test helpers: a sandbox on port 0 (in memory, frozen clock, verdicts at once) and a small
// HTTP client. Tests talk to the sandbox over real HTTP only.
import http from "node:http";
import { loadDefaultFixture, startSandbox, type RunningSandbox } from "../server";

/** Sandbox time used by the tests: just after the docs/platforms/shopify.md §1.3 / seed examples (2026-01-27). */
export const TEST_NOW = "2026-01-27T16:30:00.000Z";

export const SHOPIFY_APP = { clientId: "sandbox-sms-blaster", clientSecret: "shpss_sandbox_demo_secret", gid: "gid://shopify/App/1001" };
export const PARTNER = { orgId: "4242", token: "prtapi_sandbox_demo_token" };
export const SHOPS = {
  dev: "23423423",
  pro: "1002003004",
  volume: "1002003005",
  basic: "1002003006",
  noSubscription: "1002003007",
  uninstalled: "1002003008",
  testPlan: "1002003009",
  neverInstalled: "1002003010",
};
export const WIX = {
  appId: "cc59f2e7-7a40-4cbf-a78a-ac6e83d17e96",
  secret: "wix_sandbox_demo_secret",
  accountId: "0f3d7a52-1111-4c3b-9a58-2f8e6b1c0d44",
  apiKey: "IST.sandbox-demo-api-key",
  usd: "7dd21ebc-a097-43ac-8763-2806daee84a1",
  eur: "3b9f1c2e-5d4a-4e6b-9c8d-7e6f5a4b3c21",
  jpy: "9a7e5c3b-1d2f-4a6b-8c9d-0e1f2a3b4c5d",
  test: "5c4d3e2f-0a1b-4c2d-9e8f-7a6b5c4d3e2f",
  notUpgraded: "e1d2c3b4-a596-4788-9a0b-1c2d3e4f5a6b",
};

/** Response bodies are checked with expect(), so tests read them through a loose type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Body = any;

type Res<T = Body> = { status: number; headers: Headers; body: T; text: string };

class Client {
  constructor(readonly url: string) {}

  async call<T = Body>(method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; raw?: string } = {}): Promise<Res<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    let body: string | undefined = opts.raw;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers["content-type"] ??= "application/json";
    }
    const res = await fetch(this.url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  get = <T = Body>(path: string, headers?: Record<string, string>) => this.call<T>("GET", path, { headers });
  post = <T = Body>(path: string, body?: unknown, headers?: Record<string, string>) => this.call<T>("POST", path, { body, headers });

  // ---- control API
  reset(body: { now?: string; frozen?: boolean } = { now: TEST_NOW, frozen: true }) {
    return this.post("/_sandbox/reset", body);
  }
  settings(patch: unknown) {
    return this.call("PATCH", "/_sandbox/settings", { body: patch });
  }
  advance(seconds: number) {
    return this.post("/_sandbox/clock", { advanceSeconds: seconds });
  }
  async logs(query: Record<string, string> = {}) {
    const qs = new URLSearchParams(query).toString();
    return (await this.get(`/_sandbox/shopify/apps/${SHOPIFY_APP.clientId}/logs${qs ? `?${qs}` : ""}`)).body as { rows: Body[]; next_cursor: string | null };
  }
  shopAction(shopId: string, action: string, body: unknown = {}) {
    return this.post(`/_sandbox/shopify/shops/${shopId}/${action}`, body);
  }

  // ---- Shopify
  async shopifyToken(): Promise<string> {
    const res = await this.post("/auth/access_token", {
      client_id: SHOPIFY_APP.clientId,
      client_secret: SHOPIFY_APP.clientSecret,
      grant_type: "client_credentials",
    });
    if (res.status !== 200) throw new Error(`token: ${res.status} ${res.text}`);
    return res.body.access_token;
  }
  sendEvent(token: string, event: unknown, version = "unstable") {
    return this.post(`/app/${version}/events`, event, { authorization: `Bearer ${token}` });
  }
  /** Sends one event and returns its log row (verdicts are immediate in tests). */
  async eventRow(token: string, event: Record<string, unknown>) {
    const res = await this.sendEvent(token, event);
    if (res.status !== 202) throw new Error(`event: ${res.status} ${res.text}`);
    const { rows } = await this.logs({ limit: "1" });
    return rows[0];
  }
  partnerQuery(query: string, variables: Record<string, unknown> = {}, version = "2026-07", token = PARTNER.token) {
    return this.post(`/${PARTNER.orgId}/api/${version}/graphql.json`, { query, variables }, { "x-shopify-access-token": token });
  }

  // ---- Wix
  async wixToken(instanceId: string = WIX.usd): Promise<string> {
    const res = await this.post("/oauth2/token", {
      grant_type: "client_credentials",
      client_id: WIX.appId,
      client_secret: WIX.secret,
      instance_id: instanceId,
    });
    if (res.status !== 200) throw new Error(`wix token: ${res.status} ${res.text}`);
    return res.body.access_token;
  }
}

export type TestSandbox = RunningSandbox & { api: Client };

/** Starts a sandbox on port 0 with the default fixture at TEST_NOW on a frozen clock. */
export async function startTestSandbox(opts: { verdictDelayMs?: number; stateFile?: string | null; fixture?: unknown } = {}): Promise<TestSandbox> {
  const fixture = opts.fixture ?? { ...(loadDefaultFixture() as object), clock: { now: TEST_NOW, frozen: true } };
  const running = await startSandbox({ port: 0, stateFile: opts.stateFile ?? null, fixture, verdictDelayMs: opts.verdictDelayMs ?? 0 });
  return { ...running, api: new Client(running.url) };
}

/** A request through node:http, which (unlike fetch) sends no User-Agent unless told to. */
export function rawRequest(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body = "",
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url + path, { method, headers: { ...headers, "content-length": Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

export function billingEvent(overrides: Record<string, unknown> = {}) {
  return {
    shop_id: `gid://shopify/Shop/${SHOPS.dev}`,
    event_handle: "sms_sent",
    timestamp: "2026-01-27T16:00:00Z",
    idempotency_key: `k_${Math.random().toString(36).slice(2)}`,
    attributes: { value: 1 },
    ...overrides,
  };
}
