import { NextResponse } from "next/server";
import { afterResponse } from "@/lib/after-response";
import { newErrorRef } from "@/lib/errors";
import { KB, readBoundedText } from "@/lib/http/body";
import { logger } from "@/lib/logger";
import { lookUpWixInstance } from "@/lib/services/discovery/wix-instance-lookup";
import { handleWixWebhook } from "@/lib/services/wix/webhooks";
import { releaseReceivedWixEvents } from "@/lib/services/discovery/wix-received";

/**
 * Wix App Instance and Billing webhooks for one Wix connection: in the app dashboard, every event
 * type's callback URL is {APP_URL}/api/wix/{connectionId}/webhooks. The body is a JWT Wix signs with
 * the app's key; it is the only credential (this route is not behind the sign-in).
 */
export const dynamic = "force-dynamic";

const MAX_BODY = 256 * KB;

export async function POST(request: Request, { params }: { params: Promise<{ connectionId: string }> }) {
  const { connectionId } = await params;
  // Counted while it streams: a chunked body without Content-Length is cut off at the limit too.
  const read = await readBoundedText(request, MAX_BODY, "a Wix webhook");
  if (!read.ok) return NextResponse.json({ error: read.message }, { status: read.status });
  const body = read.text;
  try {
    const reply = await handleWixWebhook({ connectionId, body });
    const followUp = reply.followUp;
    if (followUp) {
      afterResponse(async () => {
        await lookUpWixInstance(followUp.connection, followUp.instanceRowId);
        await releaseReceivedWixEvents("wix webhook", followUp.connection.id);
      }, "Wix App Instance lookup");
    }
    return NextResponse.json(reply.body, { status: reply.status });
  } catch (err) {
    // Nothing was recorded (the delivery is written in one transaction): Wix retries.
    const ref = newErrorRef();
    logger.error({ err, ref, connectionId }, "Wix webhook failed");
    return NextResponse.json({ error: `The webhook could not be recorded; Wix will retry it. Reference ${ref}.`, ref }, { status: 503 });
  }
}
