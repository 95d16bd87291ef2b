import { randomUUID } from "node:crypto";
import { Suspense } from "react";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { requirePageUser } from "@/lib/auth/auth";
import { hasRole } from "@/lib/auth/roles";
import { getScenarioRunView } from "@/lib/services/test-charges/scenario";
import { getTestChargeView, listTestChargeTargets } from "@/lib/services/test-charges/test-charges";
import { ChargeResult } from "./charge-result";
import { ScenarioForm } from "./scenario-form";
import { ScenarioRun } from "./scenario-run";
import { TestChargeForm } from "./test-charge-form";

export const metadata = { title: "Test charges · Billing control room" };

type Search = Promise<{ event?: string; run?: string }>;

export default async function TestChargesPage({ searchParams }: { searchParams: Search }) {
  const user = await requirePageUser();
  const { event, run } = await searchParams;
  const connections = await listTestChargeTargets();
  const canFire = hasRole(user.role, "operator");
  const devStores = connections
    .filter((c) => c.platform === "shopify")
    .map((c) => ({
      id: c.id,
      name: c.name,
      environment: c.environment,
      stores: c.targets.filter((t) => t.forTesting).map((t) => ({ id: t.id, label: t.label, plan: t.plan, installed: t.installed })),
    }))
    .filter((c) => c.stores.length);
  return (
    <>
      <PageHeader
        title="Test charges"
        description="Charge a development store or a test instance and follow it through: the ledger entry, its delivery, the platform's verdict and the cycle's projected charge."
      />
      {!canFire && (
        <p role="note" className="mb-4 rounded-md bg-zinc-100 px-3 py-2 text-sm text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300" data-testid="read-only-note">
          You can look around, but firing test charges and running the scenario need the operator role.
        </p>
      )}
      <div className="grid grid-cols-1 items-start gap-4 xl:grid-cols-[minmax(0,5fr)_minmax(0,7fr)]">
        <Card title="Fire a test charge">
          {connections.length ? (
            <TestChargeForm connections={connections} initialNonce={randomUUID()} canFire={canFire} isAdmin={hasRole(user.role, "admin")} />
          ) : (
            <EmptyState title="No connections">An admin adds a Shopify or Wix connection in Settings.</EmptyState>
          )}
        </Card>
        {event && /^\d{1,19}$/.test(event) ? (
          <Suspense
            key={event}
            fallback={
              <Card title="Result">
                <p className="text-sm text-zinc-500 dark:text-zinc-400">Loading…</p>
              </Card>
            }
          >
            <ChargeResultCard id={BigInt(event)} />
          </Suspense>
        ) : (
          <Card title="Result">
            <EmptyState title="No test charge yet">
              Fire one: its ledger entry, delivery attempts, verdict and the cycle&apos;s projected charge show here.
            </EmptyState>
          </Card>
        )}
      </div>
      <Card title="Tutorial scenario: “Build a Billing Event”" className="mt-4">
        <ScenarioIntro />
        {devStores.length ? (
          <ScenarioForm connections={devStores} canRun={canFire} />
        ) : (
          <EmptyState title="No development store">Sync a sandbox Shopify connection (Settings) to get its development stores.</EmptyState>
        )}
        {run && /^[0-9a-f]{8}$/.test(run) && (
          <Suspense key={run} fallback={<p className="mt-4 text-sm text-zinc-500 dark:text-zinc-400">Loading the run…</p>}>
            <ScenarioRunSection runId={run} />
          </Suspense>
        )}
      </Card>
    </>
  );
}

async function ChargeResultCard({ id }: { id: bigint }) {
  const view = await getTestChargeView(id);
  if (!view)
    return (
      <Card title="Result">
        <EmptyState title={`No event #${id}`}>It may have been fired on another database.</EmptyState>
      </Card>
    );
  return <ChargeResult view={view} />;
}

async function ScenarioRunSection({ runId }: { runId: string }) {
  const view = await getScenarioRunView(runId);
  if (!view) return <p className="mt-4 text-sm text-zinc-500 dark:text-zinc-400">No run {runId}.</p>;
  return <ScenarioRun view={view} />;
}

function ScenarioIntro() {
  return (
    <div className="mb-4 max-w-3xl space-y-2 text-sm text-zinc-600 dark:text-zinc-400">
      <p>
        Runs the tutorial&apos;s five cases on a sandbox development store and sets each expected verdict beside the one we predicted and the one the platform
        gave: the included units, paid units, a wrong-case handle, a duplicate idempotency key, and usage reported more than 24 hours after an uninstall.
      </p>
      <p>
        For step 5 the store is uninstalled and the sandbox clock moved 24 h forward for a few seconds, then moved back; the store is reinstalled on the same
        plan and billing cycle (its new subscription starts without usage) and re-synced. Sandbox connections only.
      </p>
    </div>
  );
}
