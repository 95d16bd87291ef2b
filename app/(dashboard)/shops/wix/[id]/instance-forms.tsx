"use client";

import { useState, useTransition } from "react";
import { Button, Field, FormError, inputClass } from "@/components/ui/form";
import type { ActionResult } from "@/lib/action";
import { previewWixInvoiceAction, recordWixUsageAction, setInitialChargeLimitAction } from "@/lib/actions/wix-instances";
import { useFormAction } from "@/lib/hooks/use-form-action";
import { newNonce } from "@/lib/ui/form-key";
import type { WixPreview } from "@/lib/services/wix/instance-actions";

type Kind = { kind: string; description: string; unitPrice: string };

/** Operators: record usage of this instance through the ledger's way in; the gauge and alerts follow. */
export function UsageForm({ instanceRowId, kinds, currency, initialNonce }: { instanceRowId: string; kinds: Kind[]; currency: string; initialNonce: string }) {
  // The form's key lasts until "Record another": a resend of the same form records nothing new.
  const [nonce, setNonce] = useState(initialNonce);
  const { submit, pending, fieldErrors, error, result, clear } = useFormAction(
    (input) => recordWixUsageAction({ ...input, instanceRowId } as never),
    undefined,
    { resetOnSuccess: false },
  );
  const recorded = result?.ok
    ? result.data.status === "duplicate"
      ? `Already recorded as event #${result.data.eventId}: nothing new was recorded.`
      : `Recorded as event #${result.data.eventId}.`
    : null;
  const err = (k: string) => fieldErrors?.[k];
  if (!kinds.length)
    return (
      <p className="text-sm text-zinc-500 dark:text-zinc-400">
        The connection&apos;s price list has no kind priced in {currency}: usage would not be billable.
      </p>
    );
  return (
    <form onSubmit={submit} className="grid gap-3 sm:grid-cols-2" noValidate data-testid="usage-form">
      <input type="hidden" name="nonce" value={nonce} />
      <Field label="Kind" htmlFor="u-kind" error={err("kind")}>
        <select id="u-kind" name="kind" className={inputClass} defaultValue={kinds[0]!.kind}>
          {kinds.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.kind} · {k.unitPrice} {currency} a unit
            </option>
          ))}
        </select>
      </Field>
      <Field label="Quantity (units)" htmlFor="u-quantity" error={err("quantity")}>
        <input id="u-quantity" name="quantity" inputMode="decimal" defaultValue="100" className={inputClass} aria-invalid={!!err("quantity")} />
      </Field>
      <div className="sm:col-span-2">
        <Field label="When (ISO 8601, optional)" htmlFor="u-timestamp" error={err("timestamp")} hint="Empty means now.">
          <input id="u-timestamp" name="timestamp" placeholder="2026-11-22T10:00:00Z" className={inputClass} aria-invalid={!!err("timestamp")} />
        </Field>
      </div>
      <div className="flex flex-wrap items-center gap-3 sm:col-span-2">
        <Button type="submit" disabled={pending} aria-busy={pending}>
          {pending ? "Recording…" : "Record usage"}
        </Button>
        <span className="font-mono text-xs text-zinc-600 dark:text-zinc-400" title="The idempotency key of this form: submitting it twice records once.">
          key ui-usage-{nonce.slice(0, 8)}…
        </span>
        <div className="w-full" aria-live="polite">
          {error && <FormError className="">{error}</FormError>}
          {recorded && (
            <div
              data-form-result
              tabIndex={-1}
              role="status"
              className="flex flex-wrap items-center gap-3 text-sm text-emerald-700 outline-none dark:text-emerald-400"
            >
              <p>{recorded}</p>
              <Button
                type="button"
                variant="secondary"
                onClick={() => {
                  setNonce(newNonce());
                  clear();
                }}
              >
                Record another
              </Button>
            </div>
          )}
        </div>
      </div>
    </form>
  );
}

/** Operators: Wix's metered-billing-charges test hook, which calls our List Charges (DISPLAY_ONLY). */
export function WixPreviewButton({ instanceRowId, disabled }: { instanceRowId: string; disabled?: boolean }) {
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult<WixPreview> | null>(null);
  return (
    <div>
      <Button
        type="button"
        variant="secondary"
        disabled={pending || disabled}
        onClick={() => start(async () => setResult(await previewWixInvoiceAction({ instanceRowId })))}
      >
        {pending ? "Asking Wix…" : "Ask Wix what it would invoice now"}
      </Button>
      {result && !result.ok && (
        <p role="alert" className="mt-2 text-sm text-red-600 dark:text-red-400">
          {result.error}
        </p>
      )}
      {result?.ok && (
        <div className="mt-3" data-testid="wix-preview" role="status">
          {result.data.charges.length === 0 ? (
            <p className="text-sm">Wix would invoice nothing for {result.data.startDate.slice(0, 10)} to now.</p>
          ) : (
            <table className="w-full text-left text-sm">
              <caption className="mb-1 text-left text-xs text-zinc-500 dark:text-zinc-400">
                As Wix relayed it ({result.data.currency}, {result.data.startDate.slice(0, 10)} to now)
              </caption>
              <thead className="text-xs text-zinc-500 dark:text-zinc-400">
                <tr>
                  <th className="py-1 pr-3">Charge</th>
                  <th className="pr-3 text-right">Amount</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
                {result.data.charges.map((c) => (
                  <tr key={c.id}>
                    <td className="py-1 pr-3">
                      {c.description}
                      <span className="block break-all font-mono text-xs text-zinc-500 dark:text-zinc-400">{c.id}</span>
                    </td>
                    <td className="pr-3 text-right tabular-nums">{c.amount}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </div>
  );
}

/** Admins: the initial limit answered when this instance upgrades (empty: the connection's default). */
export function InitialLimitForm({ instanceRowId, value, fallback }: { instanceRowId: string; value: string; fallback: string }) {
  const { submit, pending, error, fieldErrors, result } = useFormAction(
    (input) => setInitialChargeLimitAction({ instanceRowId, initialChargeLimit: String(input.initialChargeLimit ?? "") }),
    undefined,
    { resetOnSuccess: false },
  );
  const problem = fieldErrors?.initialChargeLimit?.[0] ?? error;
  return (
    <form onSubmit={submit} className="flex flex-wrap items-end gap-2" noValidate>
      <label htmlFor="initial-limit" className="min-w-40 flex-1 text-sm">
        <span className="mb-1 block font-medium">Initial charge limit (override)</span>
        <input
          id="initial-limit"
          name="initialChargeLimit"
          defaultValue={value}
          placeholder={fallback}
          inputMode="decimal"
          className={inputClass}
          aria-invalid={!!problem}
        />
      </label>
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? "Saving…" : "Save"}
      </Button>
      <p className="w-full text-xs text-zinc-500 dark:text-zinc-400">
        Answered on the next upgrade (Get Charge Limit). Empty uses the connection&apos;s default.
      </p>
      {problem && (
        <p role="alert" className="w-full text-xs text-red-600 dark:text-red-400">
          {problem}
        </p>
      )}
      {result?.ok && (
        <p role="status" className="w-full text-xs text-emerald-700 dark:text-emerald-400">
          Saved.
        </p>
      )}
    </form>
  );
}
