import { NextResponse } from "next/server";
import { afterResponse } from "@/lib/after-response";
import { KB, readBoundedText } from "@/lib/http/body";
import { newErrorRef } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { handleWixPluginCall } from "@/lib/services/wix/plugin";

/**
 * The Wix Custom Charges service plugin for one Wix connection: Wix's app extension `baseUri` is
 * {APP_URL}/api/wix/{connectionId}/ and Wix POSTs each method to v1/{method} (charge-limit,
 * charges, usages, charges-rejected, usages-rejected, invoice-created, limit-updated). The body is
 * a JWT Wix signs; it is the only credential (this route is not behind the sign-in), so the body
 * is read, up to MAX_PLUGIN_BODY and no further, before anything else.
 */
export const dynamic = "force-dynamic";

const MAX_PLUGIN_BODY = 256 * KB;

const spiError = (status: number, code: string, description: string, headers?: Record<string, string>, data: Record<string, string> = {}) =>
  NextResponse.json({ applicationError: { code, description, data } }, { status, headers });

export async function POST(request: Request, { params }: { params: Promise<{ connectionId: string; method: string }> }) {
  const { connectionId, method } = await params;
  const read = await readBoundedText(request, MAX_PLUGIN_BODY, "a service-plugin call");
  if (!read.ok) return spiError(read.status, "INVALID_ARGUMENT", read.message);
  try {
    const reply = await handleWixPluginCall({ connectionId, method, body: read.text });
    if (reply.followUp) afterResponse(reply.followUp, "Wix plugin follow-up (instance lookup, charge-limit alerts)");
    return NextResponse.json(reply.body, {
      status: reply.status,
      headers: reply.retryAfterSeconds ? { "retry-after": String(reply.retryAfterSeconds) } : undefined,
    });
  } catch (err) {
    const ref = newErrorRef();
    logger.error({ err, ref, connectionId, method }, "service-plugin call failed");
    return spiError(
      503,
      "UNAVAILABLE",
      `The provider could not reach its database; nothing was recorded. Wix may try again. Reference ${ref}.`,
      { "retry-after": "5" },
      { ref },
    );
  }
}
