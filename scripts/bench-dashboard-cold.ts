/**
 * One cold sample for scripts/bench-dashboard.ts: a new process (new connections) right after its
 * Postgres was restarted times the Overview's 30-day data (every query the page runs) once, cold,
 * then 5 times more (warm again), and prints the times as one JSON line.
 *   DATABASE_URL=… tsx scripts/bench-dashboard-cold.ts
 */
export {};
process.env.LOG_LEVEL ??= "warn";
const { db } = await import("../lib/db/client");
const { resolveRange } = await import("../lib/domain/dashboard-range");
const { getOverview } = await import("../lib/db/overview");
const { filterOptions } = await import("../lib/db/filter-options");

const d30 = resolveRange({ range: "30d" }, new Date(), "Europe/Paris");
const overview = () => Promise.all([getOverview(d30, {}, new Date()), filterOptions(d30.from), db().connection.count()]);
const times: number[] = [];
for (let i = 0; i < 6; i++) {
  const t = performance.now();
  await overview();
  times.push(performance.now() - t);
}
await db().$disconnect();
console.log(JSON.stringify({ cold: times[0], warm: times.slice(1) }));
process.exit(0);
