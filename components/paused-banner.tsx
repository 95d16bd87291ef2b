import Link from "next/link";
import { db } from "@/lib/db/client";

/** On every page while a connection is disabled: its events are held, nothing is sent. */
export async function PausedBanner() {
  const paused = await db().connection.findMany({
    where: { disabledAt: { not: null }, archivedAt: null },
    select: { id: true, name: true },
    orderBy: { name: "asc" },
    take: 5,
  });
  if (!paused.length) return null;
  return (
    <p
      role="status"
      className="mb-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200"
      data-testid="paused-connections"
    >
      Delivery is paused for{" "}
      {paused.map((c, i) => (
        <span key={c.id}>
          {i > 0 && ", "}
          <Link href={`/settings/connections/${c.id}`} className="font-medium underline">
            {c.name}
          </Link>
        </span>
      ))}
      : their events are taken in and held until an admin enables the connection again.
    </p>
  );
}
