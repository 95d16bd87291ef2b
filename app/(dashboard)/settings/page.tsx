import Link from "next/link";
import { LocalTime } from "@/components/local-time";
import { Badge, Card, EmptyState, PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/lib/auth/auth";
import { hasRole } from "@/lib/auth/roles";
import { db } from "@/lib/db/client";
import { ApiKeyForm, RevokeKeyButton } from "./api-key-forms";
import { ConnectionForm } from "./connection-form";

export const metadata = { title: "Settings · Billing control room" };

export default async function SettingsPage({ searchParams }: { searchParams: Promise<{ denied?: string }> }) {
  const user = await requirePageUser();
  const { denied } = await searchParams;
  const isAdmin = hasRole(user.role, "admin");
  const [connections, keys] = await Promise.all([
    db().connection.findMany({ orderBy: { createdAt: "asc" }, include: { _count: { select: { shops: true, wixInstances: true } } } }),
    isAdmin ? db().ingestApiKey.findMany({ orderBy: { createdAt: "desc" }, include: { createdBy: { select: { email: true } } } }) : Promise.resolve([]),
  ]);
  return (
    <>
      <PageHeader
        title="Settings"
        description="Platform connections, ingest API keys and users."
        actions={
          isAdmin && (
            <Link href="/settings/users" className="text-sm text-indigo-600 dark:text-indigo-400">
              Users and roles →
            </Link>
          )
        }
      />
      {denied === "users" && (
        <p role="alert" className="mb-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
          Only admins manage users and roles. You are signed in as {user.role}.
        </p>
      )}
      <Card title="Platform connections">
        {connections.length === 0 ? (
          <EmptyState title="No connections">{isAdmin ? "Add your Shopify or Wix app below." : "Ask an admin to add your Shopify or Wix app."}</EmptyState>
        ) : (
          <ul className="divide-y divide-zinc-200 dark:divide-zinc-800" data-testid="connections">
            {connections.map((c) => (
              <li key={c.id} className="flex flex-wrap items-center gap-2 py-3 text-sm">
                <Link href={`/settings/connections/${c.id}`} className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
                  {c.name}
                </Link>
                <Badge tone={c.platform === "shopify" ? "green" : "indigo"}>{c.platform}</Badge>
                <Badge tone={c.environment === "live" ? "red" : "zinc"}>{c.environment}</Badge>
                {c.archivedAt ? <Badge tone="zinc">archived</Badge> : c.disabledAt ? <Badge tone="amber">disabled: delivery paused</Badge> : null}
                <span className="font-mono text-xs text-zinc-500 dark:text-zinc-400">{c.apiBaseUrl}</span>
                <span className="ml-auto text-xs text-zinc-500 dark:text-zinc-400">
                  client id <span className="font-mono">{c.clientId}</span> ·{" "}
                  {c.platform === "shopify" ? `${c._count.shops} shops` : `${c._count.wixInstances} instances`} · secret stored encrypted
                </span>
              </li>
            ))}
          </ul>
        )}
        {isAdmin && <ConnectionForm />}
      </Card>
      {isAdmin && (
        <Card title="Ingest API keys" className="mt-4">
          <p className="mb-3 text-sm text-zinc-500 dark:text-zinc-400">
            Your services post events to <span className="font-mono">POST /api/v1/events</span> with{" "}
            <span className="font-mono">Authorization: Bearer &lt;key&gt;</span>. A key is shown once; only its hash is kept.
          </p>
          {keys.length > 0 && (
            <ul className="mb-4 divide-y divide-zinc-200 dark:divide-zinc-800" data-testid="api-keys">
              {keys.map((k) => (
                <li key={k.id} className="flex flex-wrap items-center gap-2 py-2 text-sm">
                  <span className="font-medium">{k.name}</span>
                  <span className="font-mono text-xs text-zinc-500 dark:text-zinc-400">{k.prefix}…</span>
                  <span className="text-xs text-zinc-500 dark:text-zinc-400">{k.scopes.join(", ")}</span>
                  {k.revokedAt ? <Badge tone="red">revoked</Badge> : <Badge tone="green">active</Badge>}
                  <span className="ml-auto text-xs text-zinc-500 dark:text-zinc-400">
                    created <LocalTime iso={k.createdAt.toISOString()} /> by {k.createdBy.email} · last used <LocalTime iso={k.lastUsedAt?.toISOString()} />
                  </span>
                  {!k.revokedAt && <RevokeKeyButton id={k.id} name={k.name} />}
                </li>
              ))}
            </ul>
          )}
          <ApiKeyForm />
        </Card>
      )}
    </>
  );
}
