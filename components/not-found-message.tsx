import Link from "next/link";

/** What a missing page says: what was asked for is not here, and where to go instead. */
export function NotFoundMessage() {
  return (
    <div className="rounded-xl border border-zinc-200 bg-white p-6 text-sm shadow-sm dark:border-zinc-800 dark:bg-zinc-900" data-testid="not-found">
      <h1 className="text-2xl font-semibold tracking-tight">Page not found</h1>
      <p className="mt-2 text-zinc-600 dark:text-zinc-300">
        Nothing lives at this address: the link may be mistyped, or the event, shop or connection it pointed to no longer exists.
      </p>
      <ul className="mt-3 flex flex-wrap gap-4">
        <li>
          <Link href="/" className="text-indigo-700 underline dark:text-indigo-300">
            Overview
          </Link>
        </li>
        <li>
          <Link href="/events" className="text-indigo-700 underline dark:text-indigo-300">
            Events
          </Link>
        </li>
        <li>
          <Link href="/shops" className="text-indigo-700 underline dark:text-indigo-300">
            Shops &amp; instances
          </Link>
        </li>
      </ul>
    </div>
  );
}
