import type { ReactNode } from "react";
import { FocusMainOnNavigate } from "@/components/focus-on-navigate";
import { Nav, ThemeToggle, type NavItem } from "@/components/nav";
import { PausedBanner } from "@/components/paused-banner";
import { Providers } from "@/components/providers";
import { ZoneNote } from "@/components/zone-note";
import { logoutAction } from "@/lib/actions/auth";
import { requirePageUser } from "@/lib/auth/auth";

const items: NavItem[] = [
  { href: "/", label: "Overview" },
  { href: "/events", label: "Events" },
  { href: "/shops", label: "Shops & instances" },
  { href: "/alerts", label: "Alerts" },
  { href: "/test-charges", label: "Test charges" },
  { href: "/reconcile", label: "Reconcile" },
  { href: "/settings", label: "Settings" },
  { href: "/audit", label: "Audit log" },
];

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await requirePageUser();
  return (
    <Providers>
      <FocusMainOnNavigate />
      <a
        href="#main"
        className="sr-only rounded-md bg-white px-3 py-2 text-sm font-medium text-indigo-700 shadow focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50 dark:bg-zinc-900 dark:text-indigo-300"
      >
        Skip to content
      </a>
      <div className="md:flex">
        <aside className="border-b border-zinc-200 bg-white p-4 md:sticky md:top-0 md:h-screen md:w-60 md:shrink-0 md:border-r md:border-b-0 dark:border-zinc-800 dark:bg-zinc-900">
          <div className="flex items-center justify-between md:block">
            <p className="font-semibold tracking-tight md:mb-6">Billing control room</p>
            <div className="md:hidden">
              <ThemeToggle />
            </div>
          </div>
          <Nav items={items} />
          <div className="mt-6 hidden space-y-3 border-t border-zinc-200 pt-4 text-sm md:block dark:border-zinc-800">
            <UserBox name={user.name} email={user.email} role={user.role} />
            <ThemeToggle />
          </div>
        </aside>
        <main id="main" tabIndex={-1} className="min-w-0 flex-1 p-4 outline-none md:p-8">
          <div className="mb-4 flex flex-wrap items-center justify-between gap-2 md:justify-end">
            <ZoneNote />
            <div className="md:hidden">
              <UserBox name={user.name} email={user.email} role={user.role} />
            </div>
          </div>
          <PausedBanner />
          {children}
        </main>
      </div>
    </Providers>
  );
}

function UserBox({ name, email, role }: { name: string; email: string; role: string }) {
  return (
    <div className="flex items-center gap-3 md:block">
      <div>
        <p className="font-medium" data-testid="signed-in-user">
          {name}
        </p>
        <p className="text-xs text-zinc-500 dark:text-zinc-400">
          {email} · {role}
        </p>
      </div>
      <form action={logoutAction} className="md:mt-2">
        <button type="submit" className="text-xs text-indigo-600 hover:underline dark:text-indigo-400">
          Sign out
        </button>
      </form>
    </div>
  );
}
