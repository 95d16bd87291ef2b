import { parseOverviewParams } from "@/lib/dashboard-params";
import { getOverview } from "@/lib/db/overview";
import { resolveRange } from "@/lib/domain/dashboard-range";
import { noStore, readRoute } from "@/lib/read-route";

/** GET /api/overview?range=30d&connection=…&tz=Europe/Paris — what the Overview shows, for polling. */
export const GET = readRoute(async ({ params: raw, cookieTz }) => {
  const params = parseOverviewParams(raw, cookieTz);
  const now = new Date();
  const rangeKey = params.from && params.to ? "custom" : params.range;
  const range = resolveRange({ range: rangeKey, from: params.from, to: params.to, bucket: params.bucket }, now, params.tz);
  const data = await getOverview(
    range,
    {
      connectionId: params.connection,
      platform: params.platform,
      handle: params.handle,
      subjectId: params.shop ?? params.instance,
    },
    now,
  );
  return Response.json(data, { headers: noStore });
});
