import { db } from "./client";

/** Choices for the Overview's and the explorer's filter controls. */
export type FilterOptions = {
  connections: { id: string; name: string; platform: string }[];
  shops: { id: string; label: string }[];
  instances: { id: string; label: string }[];
  handles: string[];
  /** Failure codes seen (platform codes and DELIVERY_FAILED). */
  codes: string[];
};

const WEEK = 7 * 86_400_000;

/** Handles and codes are those seen since `since`, looking back at most a week (the inputs also take any text). */
export async function filterOptions(since: Date): Promise<FilterOptions> {
  const handlesSince = new Date(Math.max(since.getTime(), Date.now() - WEEK));
  const [connections, shops, instances, handles, codes] = await Promise.all([
    db().connection.findMany({ select: { id: true, name: true, platform: true }, orderBy: { name: "asc" } }),
    db().shop.findMany({ select: { id: true, domain: true }, orderBy: { domain: "asc" } }),
    db().wixInstance.findMany({ select: { id: true, siteName: true }, orderBy: { siteName: "asc" } }),
    db().$queryRaw<{ handle: string }[]>`
      SELECT handle FROM event_rollups_hourly_totals WHERE hour >= ${handlesSince}::timestamptz
      GROUP BY handle ORDER BY handle LIMIT 200`,
    db().$queryRaw<{ code: string }[]>`
      SELECT code FROM event_rollups_hourly_totals WHERE hour >= ${handlesSince}::timestamptz AND code <> ''
      GROUP BY code ORDER BY code LIMIT 200`,
  ]);
  return {
    connections,
    shops: shops.map((s) => ({ id: s.id, label: s.domain })),
    instances: instances.map((i) => ({ id: i.id, label: i.siteName })),
    handles: handles.map((h) => h.handle),
    codes: codes.map((c) => c.code),
  };
}
