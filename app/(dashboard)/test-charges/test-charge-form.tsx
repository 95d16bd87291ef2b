"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition, type FormEvent } from "react";
import { Button, Field, FormError, inputClass } from "@/components/ui/form";
import type { ActionResult } from "@/lib/action";
import { fireTestChargeAction } from "@/lib/actions/test-charges";
import { Decimal, formatMoney } from "@/lib/domain/money";
import type { TestChargeConnection } from "@/lib/services/test-charges/test-charges";
import { focusAnswer } from "@/lib/hooks/use-form-action";
import { newNonce } from "@/lib/ui/form-key";

type Fired = { eventId: string; status: string; state: string; idempotencyKey: string };
type Target = TestChargeConnection["targets"][number];

const meterLabel = (m: Target["meters"][number]) =>
  m.structure === "fixed"
    ? `${m.handle} · ${formatMoney({ amount: new Decimal(m.price), currency: m.currency }, "en-US", { exact: true })} a unit${m.included !== "0" ? `, ${m.included} included` : ""}`
    : `${m.handle} · ${m.structure} tiers`;

/** The tutorial's meter when the store has it, else the first. */
const defaultMeter = (t: Target | undefined) => t?.meters.find((m) => m.handle === "sms_sent")?.handle ?? t?.meters[0]?.handle;

const targetLabel = (t: Target, shopify: boolean) =>
  `${t.label}${t.installed ? "" : " (uninstalled)"}${shopify ? (t.plan ? ` · ${t.plan}` : " · no plan") : ""}`;

export function TestChargeForm({
  connections,
  initialNonce,
  canFire,
  isAdmin,
}: {
  connections: TestChargeConnection[];
  initialNonce: string;
  canFire: boolean;
  isAdmin: boolean;
}) {
  const router = useRouter();
  const [connectionId, setConnectionId] = useState(connections[0]!.id);
  const connection = connections.find((c) => c.id === connectionId) ?? connections[0]!;
  const shopify = connection.platform === "shopify";
  const [targetId, setTargetId] = useState(connection.targets[0]?.id ?? "");
  const target = connection.targets.find((t) => t.id === targetId) ?? connection.targets[0];
  const [nonce, setNonce] = useState(initialNonce);
  const [result, setResult] = useState<ActionResult<Fired> | null>(null);
  const [pending, startTransition] = useTransition();
  const err = (k: string) => (result && !result.ok ? result.fieldErrors?.[k] : undefined);
  const testing = connection.targets.filter((t) => t.forTesting);
  const others = connection.targets.filter((t) => !t.forTesting);
  const kind = shopify ? "development store" : "test instance";
  const adminOnly = !!target && !target.forTesting && !isAdmin;

  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (result) focusAnswer(formRef.current, result.ok);
  }, [result]);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (pending) return;
    const input = Object.fromEntries(new FormData(event.currentTarget));
    setResult(null);
    startTransition(async () => {
      const r = await fireTestChargeAction(input as never);
      setResult(r);
      if (!r.ok) return;
      const params = new URLSearchParams(window.location.search);
      params.set("event", r.data.eventId);
      router.replace(`/test-charges?${params}`, { scroll: false });
    });
  };

  return (
    <form ref={formRef} onSubmit={submit} noValidate data-testid="test-charge-form">
      <fieldset disabled={!canFire || pending} className="grid gap-3 sm:grid-cols-2">
        <input type="hidden" name="nonce" value={nonce} />
        <div className="sm:col-span-2">
          <Field label="Connection" htmlFor="tc-connection" error={err("connectionId")}>
            <select
              id="tc-connection"
              name="connectionId"
              className={inputClass}
              value={connection.id}
              onChange={(e) => {
                setConnectionId(e.target.value);
                setTargetId(connections.find((c) => c.id === e.target.value)?.targets[0]?.id ?? "");
                setResult(null);
              }}
            >
              {connections.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} · {c.platform === "shopify" ? "Shopify" : "Wix"} {c.environment}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <div className="sm:col-span-2">
          <Field label={shopify ? "Store" : "Instance"} htmlFor="tc-target" error={err("targetId")}>
            <select
              id="tc-target"
              name="targetId"
              className={inputClass}
              value={target?.id ?? ""}
              aria-invalid={!!err("targetId")}
              onChange={(e) => {
                setTargetId(e.target.value);
                setResult(null);
              }}
            >
              {testing.length > 0 && (
                <optgroup label={shopify ? "Development stores" : "Test instances"}>
                  {testing.map((t) => (
                    <option key={t.id} value={t.id}>
                      {targetLabel(t, shopify)}
                    </option>
                  ))}
                </optgroup>
              )}
              {others.length > 0 && (
                <optgroup label="Not for testing: admin confirmation">
                  {others.map((t) => (
                    <option key={t.id} value={t.id}>
                      {targetLabel(t, shopify)}
                    </option>
                  ))}
                </optgroup>
              )}
            </select>
          </Field>
        </div>
        <div className="sm:col-span-2">
          <Field
            label="Meter"
            htmlFor="tc-meter"
            error={err("meter")}
            hint={
              shopify
                ? target?.plan
                  ? `The meters of ${target.plan}.`
                  : "No plan: every meter of the app."
                : "The price list's kinds in the instance's currency."
            }
          >
            <select
              key={`${connection.id}|${target?.id}`}
              id="tc-meter"
              name="meter"
              className={inputClass}
              defaultValue={defaultMeter(target)}
              aria-invalid={!!err("meter")}
            >
              {target?.meters.map((m) => (
                <option key={m.handle} value={m.handle}>
                  {meterLabel(m)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <Field label="Quantity (units)" htmlFor="tc-quantity" error={err("quantity")}>
          <input id="tc-quantity" name="quantity" inputMode="decimal" defaultValue="1" className={inputClass} aria-invalid={!!err("quantity")} />
        </Field>
        {target && !target.forTesting && (
          <div
            className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm sm:col-span-2 dark:border-amber-800 dark:bg-amber-950"
            data-testid="non-dev-warning"
          >
            <p className="font-medium text-amber-900 dark:text-amber-200">
              {target.label} is not a {kind}: this charge may bill a real merchant.
            </p>
            <label className={`mt-2 flex items-start gap-2 ${isAdmin ? "" : "text-zinc-500 dark:text-zinc-400"}`}>
              <input type="checkbox" name="confirmNonDev" disabled={!isAdmin} className="mt-0.5" />
              <span>I confirm this charge (admins only; recorded in the audit log).</span>
            </label>
            {!isAdmin && (
              <p id="tc-admin-only" className="mt-1 text-xs text-amber-800 dark:text-amber-300">
                Only an admin can charge a store that is not for testing: ask an admin, or choose a {kind}.
              </p>
            )}
            {err("confirmNonDev")?.map((e) => (
              <p key={e} className="mt-1 text-xs text-red-600 dark:text-red-400">
                {e}
              </p>
            ))}
          </div>
        )}
        <div className="flex flex-wrap items-center gap-3 sm:col-span-2">
          <Button type="submit" aria-busy={pending} disabled={adminOnly} aria-describedby={adminOnly ? "tc-admin-only" : undefined}>
            {pending ? "Firing…" : "Fire test charge"}
          </Button>
          <span className="font-mono text-xs text-zinc-600 dark:text-zinc-400" data-testid="test-charge-key">
            key tc-{nonce}
          </span>
          <span className="text-xs text-zinc-600 dark:text-zinc-400">This form charges once, however often it is submitted, until you start another.</span>
        </div>
      </fieldset>
      <div aria-live="polite">
        {result && !result.ok && (
          <FormError className="mt-3" data-testid="fire-error">
            {result.error}
          </FormError>
        )}
        {result?.ok && (
          <div data-form-result tabIndex={-1} className="mt-3 flex flex-wrap items-center gap-3 text-sm outline-none" data-testid="fire-outcome">
            <p className={result.data.status === "duplicate" ? "text-amber-800 dark:text-amber-300" : "text-emerald-800 dark:text-emerald-300"}>
              {result.data.status === "duplicate" ? "Already recorded as " : "Recorded as "}
              <Link className="underline" href={`/events/${result.data.eventId}`}>
                event #{result.data.eventId}
              </Link>
              {result.data.status === "duplicate" ? ": this form was submitted before, and nothing new was sent." : "."}
            </p>
            <Button
              type="button"
              variant="secondary"
              onClick={() => {
                setNonce(newNonce());
                setResult(null);
              }}
            >
              Fire another
            </Button>
          </div>
        )}
      </div>
    </form>
  );
}
