import { NextResponse } from "next/server";
import { afterResponse } from "@/lib/after-response";
import { handleWixPluginCall } from "@/lib/services/wix-plugin";

/**
 * The Wix Custom Charges service plugin for one Wix connection: Wix's app extension `baseUri` is
 * {APP_URL}/api/wix/{connectionId}/ and Wix POSTs each method to v1/{method} (charge-limit,
 * charges, usages, charges-rejected, usages-rejected, invoice-created, limit-updated). The body is
 * a JWT Wix signs; it is the only credential (this route is not behind the sign-in).
 */
export const dynamic = "force-dynamic";

const MAX_BODY = 256 * 1024;

export async function POST(request: Request, { params }: { params: Promise<{ connectionId: string; method: string }> }) {
  const { connectionId, method } = await params;
  const body = await request.text();
  if (body.length > MAX_BODY) {
    return NextResponse.json({ applicationError: { code: "INVALID_ARGUMENT", description: "The body is too large for a service-plugin call.", data: {} } }, { status: 413 });
  }
  const reply = await handleWixPluginCall({ connectionId, method, body });
  if (reply.followUp) afterResponse(reply.followUp, "Wix charge-limit alerts");
  return NextResponse.json(reply.body, { status: reply.status });
}
