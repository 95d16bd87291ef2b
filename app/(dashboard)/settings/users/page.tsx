import { redirect } from "next/navigation";
import { Badge, Card, PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/lib/auth/auth";
import { hasRole } from "@/lib/auth/roles";
import { db } from "@/lib/db/client";
import { SignInThrottles } from "./throttles";
import { CreateUserForm, UserRowActions } from "./user-forms";

export const metadata = { title: "Users · Billing control room" };

export default async function UsersPage() {
  const me = await requirePageUser();
  if (!hasRole(me.role, "admin")) redirect("/settings?denied=users");
  const users = await db().user.findMany({ orderBy: { createdAt: "asc" }, select: { id: true, email: true, name: true, role: true, disabled: true } });
  return (
    <>
      <PageHeader title="Users and roles" description="Admins manage everything; operators send, retry, reconcile and fire test charges; viewers read." />
      <Card>
        <ul className="divide-y divide-zinc-200 dark:divide-zinc-800" data-testid="users">
          {users.map((u) => (
            <li key={u.id} className="flex flex-wrap items-center gap-3 py-3 text-sm" data-email={u.email}>
              <div className="min-w-56">
                <p className="font-medium">
                  {u.name} {u.id === me.id && <span className="text-xs text-zinc-500 dark:text-zinc-400">(you)</span>}
                </p>
                <p className="text-xs text-zinc-500 dark:text-zinc-400">{u.email}</p>
              </div>
              {u.disabled ? <Badge tone="red">disabled</Badge> : <Badge tone="green">active</Badge>}
              <div className="ml-auto">
                {u.id !== me.id && <UserRowActions id={u.id} role={u.role} disabled={u.disabled} />}
                {u.id === me.id && <Badge>{u.role}</Badge>}
              </div>
            </li>
          ))}
        </ul>
      </Card>
      <Card title="Add a user" className="mt-4">
        <CreateUserForm />
      </Card>
      <SignInThrottles />
    </>
  );
}
