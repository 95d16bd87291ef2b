import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PLUGIN_METHODS } from "../../platforms/wix/plugin-schemas";
import { startLedgerEnv, type LedgerEnv } from "../../testing/ledger-env";

/**
 * 413 for every Wix route with a body (each plugin method and the webhooks; the ingest API's are in
 * ingest-api.integration.test.ts), before a byte is trusted: a declared Content-Length over
 * 256 KB is refused unread, and a chunked body is cut off while it streams. Nothing is written.
 */
let env: LedgerEnv;
let plugin: typeof import("../../../app/api/wix/[connectionId]/v1/[method]/route").POST;
let webhooks: typeof import("../../../app/api/wix/[connectionId]/webhooks/route").POST;

beforeAll(async () => {
  env = await startLedgerEnv();
  ({ POST: plugin } = await import("../../../app/api/wix/[connectionId]/v1/[method]/route"));
  ({ POST: webhooks } = await import("../../../app/api/wix/[connectionId]/webhooks/route"));
});
afterAll(async () => env?.close());

const LIMIT = 256 * 1024;
/** A body of 64 KB chunks with no Content-Length; `pulled()` says how many chunks were read. */
function chunked(chunks: number) {
  const chunk = new TextEncoder().encode("e".repeat(64 * 1024));
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (pulled++ < chunks) c.enqueue(chunk);
      else c.close();
    },
  });
  return { body, pulled: () => pulled };
}
const rows = () =>
  Promise.all([
    env.db.wixInstance.count(),
    env.db.wixWebhookDelivery.count(),
    env.db.wixLimitChange.count(),
    env.db.wixRejection.count(),
    env.db.wixInvoice.count(),
  ]);

describe("body limits on the Wix routes", () => {
  const routes = [
    ...PLUGIN_METHODS.map((method) => ({
      name: `plugin ${method}`,
      url: `v1/${method}`,
      call: (r: Request) => plugin(r, { params: Promise.resolve({ connectionId: env.wixConnectionId, method }) }),
    })),
    { name: "webhooks", url: "webhooks", call: (r: Request) => webhooks(r, { params: Promise.resolve({ connectionId: env.wixConnectionId }) }) },
  ];

  it.each(routes)("$name: 413 for a declared or streamed body over 256 KB; just under the limit is read (and refused as unsigned)", async ({ url, call }) => {
    const before = await rows();
    const at = `http://app/api/wix/${env.wixConnectionId}/${url}`;
    const declared = await call(new Request(at, { method: "POST", headers: { "content-type": "text/plain" }, body: "x".repeat(LIMIT + 1) }));
    expect(declared.status).toBe(413);
    expect(JSON.stringify(await declared.json())).toMatch(/larger than 256 KB/);
    const stream = chunked(64); // 4 MB, no Content-Length
    const streamed = await call(
      new Request(at, { method: "POST", headers: { "content-type": "text/plain" }, body: stream.body, duplex: "half" } as RequestInit),
    );
    expect(streamed.status).toBe(413);
    expect(stream.pulled()).toBeLessThanOrEqual(6);
    const under = await call(new Request(at, { method: "POST", headers: { "content-type": "text/plain" }, body: "x".repeat(LIMIT) }));
    expect(under.status).toBe(401);
    expect(await rows()).toEqual(before);
  });
});
