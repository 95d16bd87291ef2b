import { NextResponse } from "next/server";
import { z } from "zod";
import { expectedFailure, newErrorRef } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { authenticateApiKey, hasScope } from "@/lib/services/ingest/api-keys";
import { UsageNotFound, usageFor } from "@/lib/services/ingest/usage-api";

/**
 * GET /api/v1/usage?connection_id=…&shop_id=… (or &instance_id=…) — one shop's or Wix instance's
 * current cycle for the partner's own app (see /openapi.yaml). Needs a key with `read_usage`.
 */
const query = z
  .object({
    connection_id: z.uuid("must be the connection's id (a UUID)"),
    shop_id: z
      .string()
      .regex(/^(?:gid:\/\/shopify\/Shop\/)?\d{1,20}$/, "must be a shop GID (gid://shopify/Shop/123) or a numeric shop id")
      .optional(),
    instance_id: z.string().trim().min(1).max(100).optional(),
  })
  .refine((q) => (q.shop_id === undefined) !== (q.instance_id === undefined), {
    message: "give exactly one of shop_id (Shopify) or instance_id (Wix)",
    path: ["shop_id"],
  });

export async function GET(request: Request) {
  const key = await authenticateApiKey(request.headers.get("authorization"));
  if (!key) return NextResponse.json({ error: "Send a valid API key as `Authorization: Bearer <key>` (Settings → Ingest API keys)." }, { status: 401 });
  if (!hasScope(key, "read_usage"))
    return NextResponse.json({ error: "This API key has no `read_usage` scope: create a key that may read usage." }, { status: 403 });
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const parsed = query.safeParse(params);
  if (!parsed.success) {
    const errors: Record<string, string[]> = {};
    for (const i of parsed.error.issues) (errors[i.path.join(".") || "_"] ??= []).push(i.message);
    return NextResponse.json({ error: "Invalid query.", errors }, { status: 400 });
  }
  try {
    const q = parsed.data;
    return NextResponse.json(await usageFor({ connectionId: q.connection_id, shopId: q.shop_id, instanceId: q.instance_id }));
  } catch (err) {
    if (err instanceof UsageNotFound) return NextResponse.json({ error: err.message }, { status: 404 });
    const expected = expectedFailure(err);
    if (expected) return NextResponse.json(expected.body, { status: expected.status });
    const ref = newErrorRef();
    logger.error({ err, ref, apiKey: key.prefix }, "usage read failed");
    return NextResponse.json({ error: `Usage could not be read just now; retry. Reference ${ref}.`, ref }, { status: 503 });
  }
}
