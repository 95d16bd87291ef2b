"use client";

import Link from "next/link";
import { useState } from "react";
import { Button, Field, inputClass } from "@/components/ui/form";
import { sendShopifyEventAction, sendWixEventAction } from "@/lib/actions/events";
import { useFormAction } from "@/lib/hooks/use-form-action";

type ShopifyConnection = { id: string; name: string; meterHandles: string[]; shops: { shopId: string; domain: string; isDevStore: boolean; installState: string; planHandle: string | null }[] };
type WixConnection = { id: string; name: string; instances: { instanceId: string; siteName: string; installState: string; currency: string }[] };

type Sent = { status: string; eventId: string; idempotencyKey: string; state: string; predicted: { verdict: string; code: string | null; details: string | null; hint: string | null } };

function Outcome({ sent }: { sent: Sent }) {
  const tone = sent.predicted.verdict === "billable" ? "bg-emerald-50 dark:bg-emerald-950" : sent.predicted.verdict === "failed" ? "bg-red-50 dark:bg-red-950" : "bg-amber-50 dark:bg-amber-950";
  return (
    <div role="status" data-testid="send-outcome" className={`mt-4 rounded-md p-3 text-sm ${tone}`}>
      <p className="font-medium">
        {sent.status === "duplicate" ? "Already in the ledger (same idempotency key): nothing new was sent." : sent.state === "held" ? "Held: predicted to fail." : "Recorded and queued for delivery."}{" "}
        <Link className="text-indigo-600 underline dark:text-indigo-400" href={`/events/${sent.eventId}`}>Event #{sent.eventId} →</Link>
      </p>
      <p className="mt-1">Predicted: <strong>{sent.predicted.code ?? sent.predicted.verdict}</strong> — {sent.predicted.details}</p>
      {sent.predicted.hint && <p className="mt-1">Hint: {sent.predicted.hint}</p>}
      <p className="mt-1 font-mono text-xs">key {sent.idempotencyKey}</p>
    </div>
  );
}

export function ShopifyEventForm({ connections }: { connections: ShopifyConnection[] }) {
  const [connectionId, setConnectionId] = useState(connections[0]!.id);
  const connection = connections.find((c) => c.id === connectionId)!;
  const [sent, setSent] = useState<Sent | null>(null);
  const { submit, pending, fieldErrors, error } = useFormAction((input) => sendShopifyEventAction(input as never), (d) => setSent(d as Sent), { resetOnSuccess: false });
  const err = (k: string) => fieldErrors?.[k];
  return (
    <form onSubmit={submit} className="grid gap-3 md:grid-cols-2" noValidate>
      <Field label="Connection" htmlFor="s-connection" error={err("connectionId")}>
        <select id="s-connection" name="connectionId" className={inputClass} value={connectionId} onChange={(e) => setConnectionId(e.target.value)}>
          {connections.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </select>
      </Field>
      <Field label="Shop" htmlFor="s-shop" error={err("shopId")}>
        <select id="s-shop" name="shopId" className={inputClass} aria-invalid={!!err("shopId")}>
          {connection.shops.map((s) => (
            <option key={s.shopId} value={s.shopId}>
              {s.domain}{s.isDevStore ? " (dev store)" : ""}{s.installState === "uninstalled" ? " (uninstalled)" : ""}{s.planHandle ? ` · ${s.planHandle}` : " · no plan"}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Event handle" htmlFor="s-handle" error={err("eventHandle")} hint={connection.meterHandles.length ? `Meters: ${connection.meterHandles.join(", ")} (case-sensitive)` : undefined}>
        <input id="s-handle" name="eventHandle" list="s-handles" defaultValue={connection.meterHandles[0] ?? ""} className={inputClass} aria-invalid={!!err("eventHandle")} />
        <datalist id="s-handles">{connection.meterHandles.map((h) => <option key={h} value={h} />)}</datalist>
      </Field>
      <Field label="Value (units)" htmlFor="s-value" error={err("value")}>
        <input id="s-value" name="value" inputMode="decimal" defaultValue="1" className={inputClass} aria-invalid={!!err("value")} />
      </Field>
      <Field label="Timestamp (ISO 8601)" htmlFor="s-timestamp" error={err("timestamp")} hint="When it happened; empty means now.">
        <input id="s-timestamp" name="timestamp" placeholder="2026-11-22T10:00:00Z" className={inputClass} aria-invalid={!!err("timestamp")} />
      </Field>
      <Field label="Idempotency key" htmlFor="s-key" error={err("idempotencyKey")} hint="Empty: derived from the event itself, never random.">
        <input id="s-key" name="idempotencyKey" maxLength={80} className={inputClass} aria-invalid={!!err("idempotencyKey")} />
      </Field>
      <div className="md:col-span-2">
        <Field label="Other attributes (JSON, optional)" htmlFor="s-attributes" error={err("attributes")}>
          <input id="s-attributes" name="attributes" placeholder='{"campaign": "spring"}' className={`${inputClass} font-mono`} aria-invalid={!!err("attributes")} />
        </Field>
      </div>
      <label className="flex items-center gap-2 text-sm md:col-span-2">
        <input type="checkbox" name="sendAnyway" /> Send even if predicted to fail
      </label>
      <div className="md:col-span-2">
        <Button type="submit" disabled={pending}>{pending ? "Sending…" : "Send Shopify event"}</Button>
        {error && <p role="alert" className="mt-2 text-sm text-red-600">{error}</p>}
        {sent && <Outcome sent={sent} />}
      </div>
    </form>
  );
}

export function WixEventForm({ connections }: { connections: WixConnection[] }) {
  const [connectionId, setConnectionId] = useState(connections[0]!.id);
  const connection = connections.find((c) => c.id === connectionId)!;
  const [sent, setSent] = useState<Sent | null>(null);
  const { submit, pending, fieldErrors, error } = useFormAction((input) => sendWixEventAction(input as never), (d) => setSent(d as Sent), { resetOnSuccess: false });
  const err = (k: string) => fieldErrors?.[k];
  return (
    <form onSubmit={submit} className="grid gap-3 md:grid-cols-2" noValidate>
      <Field label="Connection" htmlFor="w-connection" error={err("connectionId")}>
        <select id="w-connection" name="connectionId" className={inputClass} value={connectionId} onChange={(e) => setConnectionId(e.target.value)}>
          {connections.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </select>
      </Field>
      <Field label="Instance" htmlFor="w-instance" error={err("instanceId")}>
        <select id="w-instance" name="instanceId" className={inputClass}>
          {connection.instances.map((i) => <option key={i.instanceId} value={i.instanceId}>{i.siteName}{i.installState === "uninstalled" ? " (uninstalled: API key)" : ""}</option>)}
        </select>
      </Field>
      <Field label="Billing type" htmlFor="w-type" error={err("billingType")}>
        <select id="w-type" name="billingType" className={inputClass} defaultValue="CHARGE"><option value="CHARGE">CHARGE</option><option value="REFUND">REFUND</option></select>
      </Field>
      <Field label="Gross revenue (USD)" htmlFor="w-gross" error={err("grossRevenue")}>
        <input id="w-gross" name="grossRevenue" inputMode="decimal" placeholder="120.00" className={inputClass} aria-invalid={!!err("grossRevenue")} />
      </Field>
      <Field label="Net revenue (USD)" htmlFor="w-net" error={err("netRevenue")}>
        <input id="w-net" name="netRevenue" inputMode="decimal" placeholder="100.00" className={inputClass} aria-invalid={!!err("netRevenue")} />
      </Field>
      <Field label="Wix share (USD)" htmlFor="w-share" error={err("wixShare")}>
        <input id="w-share" name="wixShare" inputMode="decimal" placeholder="20.00" className={inputClass} aria-invalid={!!err("wixShare")} />
      </Field>
      <Field label="Transaction date (ISO 8601)" htmlFor="w-date" error={err("createdDate")} hint="Empty means now.">
        <input id="w-date" name="createdDate" className={inputClass} aria-invalid={!!err("createdDate")} />
      </Field>
      <Field label="Idempotency key" htmlFor="w-key" error={err("idempotencyKey")} hint="Wix has none: ours stops a second report.">
        <input id="w-key" name="idempotencyKey" className={inputClass} aria-invalid={!!err("idempotencyKey")} />
      </Field>
      <div className="md:col-span-2">
        <Button type="submit" disabled={pending}>{pending ? "Sending…" : "Send Wix event"}</Button>
        {error && <p role="alert" className="mt-2 text-sm text-red-600">{error}</p>}
        {sent && <Outcome sent={sent} />}
      </div>
    </form>
  );
}
