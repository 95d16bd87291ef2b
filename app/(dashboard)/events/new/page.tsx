import { redirect } from "next/navigation";
import { newFormKey } from "@/lib/ui/form-key";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/lib/auth/auth";
import { hasRole } from "@/lib/auth/roles";
import { db } from "@/lib/db/client";
import { ShopifyEventForm, WixEventForm } from "./send-forms";

export const metadata = { title: "Send an event · Billing control room" };

export default async function SendEventPage() {
  const user = await requirePageUser();
  if (!hasRole(user.role, "operator")) redirect("/events?denied=send");
  const connections = await db().connection.findMany({
    orderBy: { name: "asc" },
    include: {
      shops: { orderBy: { domain: "asc" }, select: { shopId: true, domain: true, isDevStore: true, installState: true, planHandle: true } },
      wixInstances: { orderBy: { siteName: "asc" }, select: { instanceId: true, siteName: true, installState: true, currency: true } },
      plans: { include: { meters: { select: { handle: true } } } },
    },
  });
  const shopify = connections
    .filter((c) => c.platform === "shopify")
    .map((c) => ({
      id: c.id,
      name: c.name,
      shops: c.shops,
      meterHandles: [...new Set(c.plans.flatMap((p) => p.meters.map((m) => m.handle)))],
    }));
  const wix = connections.filter((c) => c.platform === "wix").map((c) => ({ id: c.id, name: c.name, instances: c.wixInstances }));
  return (
    <>
      <PageHeader
        title="Send an event"
        description="We predict the platform's verdict with its own codes before anything is sent. An event predicted to fail is held until you send it anyway."
      />
      <div className="grid gap-4 xl:grid-cols-2">
        <Card title="Shopify usage event (App Events API)">
          {shopify.length ? (
            <ShopifyEventForm connections={shopify} initialKey={newFormKey("ui")} />
          ) : (
            <EmptyState title="No Shopify connection">An admin adds one in Settings.</EmptyState>
          )}
        </Card>
        <Card title="Wix external billing event">
          {wix.length ? (
            <WixEventForm connections={wix} initialKey={newFormKey("ui-wix")} />
          ) : (
            <EmptyState title="No Wix connection">An admin adds one in Settings.</EmptyState>
          )}
        </Card>
      </div>
    </>
  );
}
