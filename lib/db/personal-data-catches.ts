import { db } from "./client";

/** Shopify events caught with personal data in their attributes since `since` (by UTC day): refused, and stored held. */
export async function personalDataCatchCount(since: Date): Promise<{ refused: number; held: number }> {
  const [row] = await db().$queryRaw<{ refused: bigint | null; held: bigint | null }[]>`
    SELECT sum(refused) AS refused, sum(held) AS held FROM personal_data_catches WHERE day >= (${since}::timestamptz AT TIME ZONE 'UTC')::date`;
  return { refused: Number(row?.refused ?? 0), held: Number(row?.held ?? 0) };
}
