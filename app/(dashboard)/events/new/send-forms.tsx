"use client";

import Link from "next/link";
import { useState } from "react";
import { Button, Field, FormError, inputClass } from "@/components/ui/form";
import { sendShopifyEventAction, sendWixEventAction } from "@/lib/actions/events";
import { useFormAction } from "@/lib/hooks/use-form-action";
import { newFormKey } from "@/lib/ui/form-key";

type ShopifyConnection = {
  id: string;
  name: string;
  meterHandles: string[];
  shops: { shopId: string; domain: string; isDevStore: boolean; installState: string; planHandle: string | null }[];
};
type WixConnection = { id: string; name: string; instances: { instanceId: string; siteName: string; installState: string; currency: string }[] };

type Sent = {
  status: string;
  eventId: string;
  idempotencyKey: string;
  state: string;
  predicted: { verdict: string; code: string | null; details: string | null; hint: string | null };
  warning?: string;
};

function Outcome({ sent, onAnother }: { sent: Sent; onAnother: () => void }) {
  const tone =
    sent.status === "duplicate"
      ? "bg-zinc-100 dark:bg-zinc-800"
      : sent.predicted.verdict === "billable"
        ? "bg-emerald-50 dark:bg-emerald-950"
        : sent.predicted.verdict === "failed"
          ? "bg-red-50 dark:bg-red-950"
          : "bg-amber-50 dark:bg-amber-950";
  return (
    <div
      data-form-result
      tabIndex={-1}
      data-testid="send-outcome"
      className={`mt-4 rounded-md p-3 text-sm outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 ${tone}`}
    >
      <p className="font-medium">
        {sent.status === "duplicate"
          ? `Already recorded as #${sent.eventId} (same idempotency key): nothing new was sent.`
          : sent.state === "held"
            ? sent.warning
              ? "Held: it looks like personal data."
              : "Held: predicted to fail."
            : "Recorded and queued for delivery."}{" "}
        <Link className="text-indigo-700 underline dark:text-indigo-300" href={`/events/${sent.eventId}`}>
          Event #{sent.eventId} →
        </Link>
      </p>
      <p className="mt-1">
        Predicted: <strong>{sent.predicted.code ?? sent.predicted.verdict}</strong> — {sent.predicted.details}
      </p>
      {sent.predicted.hint && <p className="mt-1">Hint: {sent.predicted.hint}</p>}
      {sent.warning && (
        <p className="mt-1" data-testid="personal-data-warning">
          {sent.warning}
        </p>
      )}
      <p className="mt-1 break-all font-mono text-xs">key {sent.idempotencyKey}</p>
      <Button type="button" variant="secondary" className="mt-2" onClick={onAnother}>
        Send another
      </Button>
    </div>
  );
}

/**
 * A send form's key: minted when the form opens, shown and editable, kept through every submit
 * (so a double click or a resend is recorded once) until the person starts another event.
 */
function useFormKey(initial: string, prefix: string) {
  const [key, setKey] = useState(initial);
  return { key, setKey, renew: () => setKey(newFormKey(prefix)) };
}

function KeyField({ id, value, onChange, error, hint }: { id: string; value: string; onChange: (v: string) => void; error?: string[]; hint: string }) {
  return (
    <Field label="Idempotency key" htmlFor={id} error={error} hint={hint}>
      <input
        id={id}
        name="idempotencyKey"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        className={`${inputClass} font-mono`}
        autoComplete="off"
        spellCheck={false}
      />
    </Field>
  );
}

function Submit({ pending, label }: { pending: boolean; label: string }) {
  return (
    <Button type="submit" disabled={pending} aria-busy={pending}>
      {pending ? "Sending…" : label}
    </Button>
  );
}

export function ShopifyEventForm({ connections, initialKey }: { connections: ShopifyConnection[]; initialKey: string }) {
  // The page renders the form only with a connection; the chosen one may be gone after a refresh.
  const first = connections[0]!;
  const [connectionId, setConnectionId] = useState(first.id);
  const connection = connections.find((c) => c.id === connectionId) ?? first;
  const formKey = useFormKey(initialKey, "ui");
  const { submit, pending, fieldErrors, error, result, clear } = useFormAction((input) => sendShopifyEventAction(input as never), undefined, {
    resetOnSuccess: false,
  });
  const err = (k: string) => fieldErrors?.[k];
  const another = () => {
    formKey.renew();
    clear();
  };
  return (
    <form onSubmit={submit} className="grid gap-3 md:grid-cols-2" noValidate aria-label="Send a Shopify usage event">
      <Field label="Connection" htmlFor="s-connection" error={err("connectionId")}>
        <select id="s-connection" name="connectionId" className={inputClass} value={connection.id} onChange={(e) => setConnectionId(e.target.value)}>
          {connections.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Shop" htmlFor="s-shop" error={err("shopId")}>
        <select id="s-shop" name="shopId" className={inputClass}>
          {connection.shops.map((s) => (
            <option key={s.shopId} value={s.shopId}>
              {s.domain}
              {s.isDevStore ? " (dev store)" : ""}
              {s.installState === "uninstalled" ? " (uninstalled)" : ""}
              {s.planHandle ? ` · ${s.planHandle}` : " · no plan"}
            </option>
          ))}
        </select>
      </Field>
      <Field
        label="Event handle"
        htmlFor="s-handle"
        error={err("eventHandle")}
        hint={connection.meterHandles.length ? `Meters: ${connection.meterHandles.join(", ")} (case-sensitive)` : undefined}
      >
        <input id="s-handle" name="eventHandle" list="s-handles" defaultValue={connection.meterHandles[0] ?? ""} className={inputClass} />
        <datalist id="s-handles">
          {connection.meterHandles.map((h) => (
            <option key={h} value={h} />
          ))}
        </datalist>
      </Field>
      <Field label="Value (units)" htmlFor="s-value" error={err("value")} hint="Greater than 0: Shopify refuses a missing, zero or negative value.">
        <input id="s-value" name="value" inputMode="decimal" defaultValue="1" className={inputClass} />
      </Field>
      <Field
        label="Timestamp (ISO 8601, with its zone)"
        htmlFor="s-timestamp"
        error={err("timestamp")}
        hint="When it happened, e.g. 2026-11-22T10:00:00Z (Z = UTC); not more than 5 minutes ahead. Empty means now."
      >
        <input id="s-timestamp" name="timestamp" placeholder="2026-11-22T10:00:00Z" className={inputClass} />
      </Field>
      <KeyField
        id="s-key"
        value={formKey.key}
        onChange={formKey.setKey}
        error={err("idempotencyKey")}
        hint="Made when this form opened: sending it again records nothing new. At most 64 characters (Shopify's limit)."
      />
      <div className="md:col-span-2">
        <Field label="Other attributes (JSON, optional)" htmlFor="s-attributes" error={err("attributes")}>
          <input id="s-attributes" name="attributes" placeholder='{"campaign": "spring"}' className={`${inputClass} font-mono`} />
        </Field>
      </div>
      <label className="flex items-center gap-2 text-sm md:col-span-2">
        <input type="checkbox" name="sendAnyway" /> Send even if predicted to fail
      </label>
      <div className="md:col-span-2" aria-live="polite">
        <Submit pending={pending} label="Send Shopify event" />
        {error && <FormError>{error}</FormError>}
        {result?.ok && <Outcome sent={result.data as Sent} onAnother={another} />}
      </div>
    </form>
  );
}

/** Questions the Wix form asks where Wix's rule is unknown; each is a checkbox that appears at its field once asked. */
const WIX_QUESTIONS = { grossRevenue: "confirmNegativeCharge", createdDate: "confirmFutureDate" } as const;

export function WixEventForm({ connections, initialKey }: { connections: WixConnection[]; initialKey: string }) {
  // The page renders the form only with a connection; the chosen one may be gone after a refresh.
  const first = connections[0]!;
  const [connectionId, setConnectionId] = useState(first.id);
  const connection = connections.find((c) => c.id === connectionId) ?? first;
  const [instanceId, setInstanceId] = useState(connection.instances[0]?.instanceId ?? "");
  const instance = connection.instances.find((i) => i.instanceId === instanceId) ?? connection.instances[0];
  const formKey = useFormKey(initialKey, "ui-wix");
  const [asked, setAsked] = useState<Record<string, string>>({});
  const { submit, pending, fieldErrors, error, result, clear } = useFormAction((input) => sendWixEventAction(input as never), undefined, {
    resetOnSuccess: false,
  });
  const err = (k: string) => fieldErrors?.[k];
  const questions = result && !result.ok && result.code === "NEEDS_CONFIRMATION" ? (result.fieldErrors ?? {}) : {};
  const open = { ...asked, ...Object.fromEntries(Object.entries(questions).map(([k, v]) => [k, v[0]!])) };
  if (Object.keys(open).length !== Object.keys(asked).length) setAsked(open);
  const another = () => {
    formKey.renew();
    setAsked({});
    clear();
  };
  const question = (field: keyof typeof WIX_QUESTIONS) =>
    open[field] && (
      <label className="mt-1 flex items-start gap-2 text-sm">
        <input type="checkbox" name={WIX_QUESTIONS[field]} className="mt-0.5" data-testid={WIX_QUESTIONS[field]} />
        <span>{field === "grossRevenue" ? "Yes, send it as a CHARGE" : "Yes, this date is right"}</span>
      </label>
    );
  const currencyNote =
    instance && instance.currency !== "USD"
      ? `Wix reports external billing in USD whatever the site's currency (this site's is ${instance.currency}).`
      : "Wix reports external billing in USD whatever the site's currency.";
  return (
    <form onSubmit={submit} className="grid gap-3 md:grid-cols-2" noValidate aria-label="Send a Wix external billing event">
      <Field label="Connection" htmlFor="w-connection" error={err("connectionId")}>
        <select
          id="w-connection"
          name="connectionId"
          className={inputClass}
          value={connection.id}
          onChange={(e) => {
            setConnectionId(e.target.value);
            setInstanceId(connections.find((c) => c.id === e.target.value)?.instances[0]?.instanceId ?? "");
          }}
        >
          {connections.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Instance" htmlFor="w-instance" error={err("instanceId")}>
        <select id="w-instance" name="instanceId" className={inputClass} value={instance?.instanceId ?? ""} onChange={(e) => setInstanceId(e.target.value)}>
          {connection.instances.map((i) => (
            <option key={i.instanceId} value={i.instanceId}>
              {i.siteName} ({i.currency}){i.installState === "uninstalled" ? " (uninstalled: API key)" : ""}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Billing type" htmlFor="w-type" error={err("billingType")}>
        <select id="w-type" name="billingType" className={inputClass} defaultValue="CHARGE">
          <option value="CHARGE">CHARGE</option>
          <option value="REFUND">REFUND</option>
        </select>
      </Field>
      <div>
        <Field label="Gross revenue (USD)" htmlFor="w-gross" error={err("grossRevenue")} hint={currencyNote}>
          <input id="w-gross" name="grossRevenue" inputMode="decimal" placeholder="120.00" className={inputClass} />
        </Field>
        {question("grossRevenue")}
      </div>
      <Field label="Net revenue (USD)" htmlFor="w-net" error={err("netRevenue")}>
        <input id="w-net" name="netRevenue" inputMode="decimal" placeholder="100.00" className={inputClass} />
      </Field>
      <Field label="Wix share (USD)" htmlFor="w-share" error={err("wixShare")}>
        <input id="w-share" name="wixShare" inputMode="decimal" placeholder="20.00" className={inputClass} />
      </Field>
      <div>
        <Field
          label="Transaction date (ISO 8601, with its zone)"
          htmlFor="w-date"
          error={err("createdDate")}
          hint="e.g. 2026-11-22T10:00:00Z (Z = UTC). Empty means now."
        >
          <input id="w-date" name="createdDate" className={inputClass} />
        </Field>
        {question("createdDate")}
      </div>
      <KeyField
        id="w-key"
        value={formKey.key}
        onChange={formKey.setKey}
        error={err("idempotencyKey")}
        hint="Wix billing events carry no key of their own: ours, made when this form opened, stops a second report. At most 64 characters."
      />
      <div className="md:col-span-2" aria-live="polite">
        <Submit pending={pending} label="Send Wix event" />
        {error && <FormError>{error}</FormError>}
        {result?.ok && <Outcome sent={result.data as Sent} onAnother={another} />}
      </div>
    </form>
  );
}
