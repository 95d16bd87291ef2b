// A connection's life against the sandbox: credentials tested for real, a rotation that fails
// changes nothing, a disabled connection holds its events and then delivers each exactly once,
// delete only when nothing refers to it (else archive).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxJson, startLedgerEnv, type LedgerEnv } from "../../testing/ledger-env";

let env: LedgerEnv;
let lifecycle: typeof import("./lifecycle");
let ingestEvents: typeof import("../ingest/ingest").ingestEvents;
let deliveryRound: typeof import("../../worker/delivery").deliveryRound;
let admin: { id: string; email: string };

beforeAll(async () => {
  env = await startLedgerEnv();
  lifecycle = await import("./lifecycle");
  ({ ingestEvents } = await import("../ingest/ingest"));
  ({ deliveryRound } = await import("../../worker/delivery"));
  admin = await env.db.user.findUniqueOrThrow({ where: { email: "admin@example.com" }, select: { id: true, email: true } });
});
afterAll(async () => env?.close());

const audits = (action: string) => env.db.auditLog.findMany({ where: { action }, orderBy: { id: "asc" } });

describe("test credentials", () => {
  it("Shopify: a token and a Partner API query; Wix: an instance token and an App Instance read", async () => {
    const shopify = await lifecycle.testConnection(admin, env.shopifyConnectionId);
    expect(shopify).toMatchObject({
      ok: true,
      steps: [
        { step: "App Events token", ok: true },
        { step: "Partner API query", ok: true },
      ],
    });
    const wix = await lifecycle.testConnection(admin, env.wixConnectionId);
    expect(wix).toMatchObject({
      ok: true,
      steps: [
        { step: "Instance token", ok: true },
        { step: "App Instance read", ok: true },
      ],
    });
    expect(await env.db.connection.findUniqueOrThrow({ where: { id: env.wixConnectionId } })).toMatchObject({ lastTestOk: true });
    expect((await audits("connection.test")).map((a) => a.entityId)).toEqual([env.shopifyConnectionId, env.wixConnectionId]);
  });
});

describe("rotate a secret", () => {
  it("a secret the platform refuses changes nothing; the right one replaces the old", async () => {
    const before = await env.db.connection.findUniqueOrThrow({ where: { id: env.shopifyConnectionId } });
    await expect(lifecycle.rotateConnectionSecret(admin, { id: before.id, secret: "clientSecret", value: "shpss_wrong" })).rejects.toThrow(
      /did not work, so the old one is still in use/,
    );
    await expect(lifecycle.rotateConnectionSecret(admin, { id: before.id, secret: "partnerApiToken", value: "prtapi_wrong" })).rejects.toThrow(
      /Partner API token did not work/,
    );
    await expect(lifecycle.rotateConnectionSecret(admin, { id: env.wixConnectionId, secret: "clientSecret", value: "wrong" })).rejects.toThrow(/did not work/);
    const unchanged = await env.db.connection.findUniqueOrThrow({ where: { id: before.id } });
    expect(unchanged.clientSecretEnc).toBe(before.clientSecretEnc);
    expect(unchanged.partnerApiTokenEnc).toBe(before.partnerApiTokenEnc);
    expect(await audits("connection.rotate_secret")).toHaveLength(0);
    // The old one still works.
    expect((await lifecycle.testConnection(admin, before.id)).ok).toBe(true);

    const rotated = await lifecycle.rotateConnectionSecret(admin, { id: before.id, secret: "clientSecret", value: "shpss_sandbox_demo_secret" });
    expect(rotated.steps).toMatchObject([{ step: "App Events token", ok: true }]);
    expect((await env.db.connection.findUniqueOrThrow({ where: { id: before.id } })).clientSecretEnc).not.toBe(before.clientSecretEnc);
    const [entry] = await audits("connection.rotate_secret");
    expect(JSON.stringify({ before: entry!.before, after: entry!.after, note: entry!.note })).not.toContain("shpss_sandbox_demo_secret");
  });
});

describe("disable and enable", () => {
  it("a disabled connection takes events in and holds them; enabled, it delivers each exactly once", async () => {
    await lifecycle.setConnectionEnabled(admin, env.shopifyConnectionId, false);
    const at = new Date(Date.now() - 60_000).toISOString();
    const events = Array.from({ length: 30 }, (_, i) => ({
      platform: "shopify",
      connection_id: env.shopifyConnectionId,
      shop_id: "23423423",
      event_handle: "sms_sent",
      timestamp: at,
      idempotency_key: `paused-${i}`,
      attributes: { value: 1 },
    }));
    const results = await ingestEvents(events, { source: "api" });
    expect(results.every((r) => r.status === "accepted")).toBe(true);
    for (let i = 0; i < 3; i++) expect((await deliveryRound("paused-worker")).claimed).toBe(0);
    expect(await env.db.billingEvent.count({ where: { idempotencyKey: { startsWith: "paused-" }, state: "queued" } })).toBe(30);

    await lifecycle.setConnectionEnabled(admin, env.shopifyConnectionId, true);
    for (let round = 0; round < 20; round++) {
      const stats = await Promise.all([deliveryRound("w-1"), deliveryRound("w-2")]);
      if (stats.every((s) => !s.claimed)) break;
    }
    expect(await env.db.billingEvent.count({ where: { idempotencyKey: { startsWith: "paused-" }, state: "accepted" } })).toBe(30);
    const { rows } = await sandboxJson<{ rows: { idempotency_key: string }[] }>(env, "/_sandbox/shopify/apps/sandbox-sms-blaster/logs?limit=250");
    const sent = rows.filter((r) => r.idempotency_key?.startsWith("paused-"));
    expect(sent).toHaveLength(30);
    expect(new Set(sent.map((r) => r.idempotency_key)).size).toBe(30);
    expect((await audits("connection.disable")).length).toBe(1);
    expect((await audits("connection.enable")).length).toBe(1);
  });
});

describe("import from the sandbox", () => {
  it("lists what it would change, including a replaced public key, and writes nothing until confirmed with that preview", async () => {
    const { previewSandboxImport, syncSandboxConnection, SandboxChangedError } = await import("./sync-sandbox");
    const { generateKeyPair, exportSPKI } = await import("jose");
    const oldKey = await exportSPKI((await generateKeyPair("RS256", { extractable: true })).publicKey);
    await env.db.connection.update({ where: { id: env.wixConnectionId }, data: { pluginPublicKey: oldKey } });
    await env.db.wixPriceItem.updateMany({ where: { connectionId: env.wixConnectionId, kind: "sms_sent", currency: "USD" }, data: { unitPrice: "0.02" } });
    const before = await env.db.wixInstance.count({ where: { connectionId: env.wixConnectionId } });
    await sandboxJson(env, "/_sandbox/wix/apps/cc59f2e7-7a40-4cbf-a78a-ac6e83d17e96/instances", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ siteDisplayName: "Harbour Books", currency: "GBP" }),
    });

    const preview = await previewSandboxImport(env.wixConnectionId);
    expect(preview.changes).toEqual(
      expect.arrayContaining([
        { kind: "public key", action: "replace", what: expect.stringContaining("differs") },
        { kind: "price", action: "change", what: "sms_sent: 0.02 → 0.01 USD" },
        { kind: "instance", action: "add", what: "Harbour Books (installed, GBP)" },
      ]),
    );
    // Nothing was written by the preview.
    expect((await env.db.connection.findUniqueOrThrow({ where: { id: env.wixConnectionId } })).pluginPublicKey).toBe(oldKey);
    expect(await env.db.wixInstance.count({ where: { connectionId: env.wixConnectionId } })).toBe(before);

    // The sandbox changes after the preview: the confirmation is refused, nothing replaced.
    await sandboxJson(env, "/_sandbox/wix/apps/cc59f2e7-7a40-4cbf-a78a-ac6e83d17e96/instances", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ siteDisplayName: "Late Arrival", currency: "USD" }),
    });
    await expect(syncSandboxConnection(env.wixConnectionId, { fingerprint: preview.fingerprint })).rejects.toBeInstanceOf(SandboxChangedError);
    expect((await env.db.connection.findUniqueOrThrow({ where: { id: env.wixConnectionId } })).pluginPublicKey).toBe(oldKey);

    const fresh = await previewSandboxImport(env.wixConnectionId);
    await syncSandboxConnection(env.wixConnectionId, { fingerprint: fresh.fingerprint });
    expect((await env.db.connection.findUniqueOrThrow({ where: { id: env.wixConnectionId } })).pluginPublicKey).not.toBe(oldKey);
    expect((await previewSandboxImport(env.wixConnectionId)).changes).toEqual([]);
  });
});

describe("delete", () => {
  it("deletes a connection nothing refers to; archives one that has shops and events", async () => {
    const bare = await env.db.connection.create({
      data: { name: "Unused", platform: "wix", environment: "live", apiBaseUrl: "https://www.wixapis.com", clientId: "unused-app", clientSecretEnc: "x" },
    });
    expect(await lifecycle.deleteOrArchiveConnection(admin, bare.id)).toEqual({ deleted: true });
    expect(await env.db.connection.findUnique({ where: { id: bare.id } })).toBeNull();

    const archived = await lifecycle.deleteOrArchiveConnection(admin, env.shopifyConnectionId);
    expect(archived).toMatchObject({ deleted: false, referencedBy: { shops: expect.any(Number), events: expect.any(Number) } });
    const row = await env.db.connection.findUniqueOrThrow({ where: { id: env.shopifyConnectionId } });
    expect(row.archivedAt).not.toBeNull();
    expect(row.disabledAt).not.toBeNull();
    await expect(lifecycle.setConnectionEnabled(admin, row.id, true)).rejects.toThrow(/archived/);
    expect((await audits("connection.delete")).map((a) => a.entityId)).toEqual([bare.id]);
  });
});
