"use client";

import { Button, Field, inputClass } from "@/components/ui/form";
import { addMeterAction, addPlanAction, addPriceItemAction, addShopAction, refreshConnectionAction, removeMeterAction } from "@/lib/actions/plans";
import { useFormAction } from "@/lib/hooks/use-form-action";

const Err = ({ error }: { error?: string }) => (error ? <p role="alert" className="mt-1 text-sm text-red-600">{error}</p> : null);

export function RefreshButton({ connectionId, label }: { connectionId: string; label: string | null }) {
  const { submit, pending, error, result } = useFormAction(() => refreshConnectionAction({ connectionId }), undefined, { resetOnSuccess: false });
  if (!label) return null;
  return (
    <form onSubmit={submit} className="text-right">
      <Button type="submit" disabled={pending}>{pending ? "Working…" : label}</Button>
      {result?.ok && <p role="status" className="mt-1 text-xs text-emerald-700">Imported: {Object.entries(result.data).map(([k, v]) => `${v} ${k}`).join(", ")}.</p>}
      <Err error={error} />
    </form>
  );
}

export function AddPlanForm({ connectionId }: { connectionId: string }) {
  const { submit, pending, fieldErrors, error } = useFormAction((i) => addPlanAction({ connectionId, ...(i as Record<string, string>) } as never));
  return (
    <form onSubmit={submit} className="mt-4 grid gap-2 border-t border-zinc-200 pt-4 md:grid-cols-5 dark:border-zinc-800" noValidate>
      <Field label="Plan handle" htmlFor="p-handle" error={fieldErrors?.handle}><input id="p-handle" name="handle" className={inputClass} /></Field>
      <Field label="Name" htmlFor="p-name" error={fieldErrors?.name}><input id="p-name" name="name" className={inputClass} /></Field>
      <Field label="Monthly fee" htmlFor="p-fee" error={fieldErrors?.monthlyFee}><input id="p-fee" name="monthlyFee" inputMode="decimal" className={inputClass} /></Field>
      <Field label="Currency" htmlFor="p-currency" error={fieldErrors?.currency}><input id="p-currency" name="currency" defaultValue="USD" className={inputClass} /></Field>
      <div className="flex items-end"><Button type="submit" disabled={pending}>Add plan</Button></div>
      {!fieldErrors && <Err error={error} />}
    </form>
  );
}

export function AddMeterForm({ planId }: { planId: string }) {
  const { submit, pending, fieldErrors, error } = useFormAction((i) => addMeterAction({ planId, ...(i as Record<string, string>) } as never));
  return (
    <details className="mt-2">
      <summary className="cursor-pointer text-sm text-indigo-600 dark:text-indigo-400">Add a usage meter</summary>
      <form onSubmit={submit} className="mt-2 grid gap-2 md:grid-cols-3" noValidate>
        <Field label="Meter handle" htmlFor={`m-handle-${planId}`} error={fieldErrors?.handle}><input id={`m-handle-${planId}`} name="handle" className={inputClass} /></Field>
        <Field label="Meter name" htmlFor={`m-name-${planId}`} error={fieldErrors?.name}><input id={`m-name-${planId}`} name="name" className={inputClass} /></Field>
        <Field label="Structure" htmlFor={`m-structure-${planId}`} error={fieldErrors?.structure}>
          <select id={`m-structure-${planId}`} name="structure" className={inputClass} defaultValue="fixed"><option value="fixed">fixed</option><option value="graduated">graduated</option><option value="volume">volume</option></select>
        </Field>
        <Field label="Unit price (fixed)" htmlFor={`m-price-${planId}`} error={fieldErrors?.unitPrice}><input id={`m-price-${planId}`} name="unitPrice" inputMode="decimal" className={inputClass} /></Field>
        <Field label="Included units" htmlFor={`m-included-${planId}`} error={fieldErrors?.includedUnits}><input id={`m-included-${planId}`} name="includedUnits" defaultValue="0" className={inputClass} /></Field>
        <Field label="Tiers (graduated / volume)" htmlFor={`m-tiers-${planId}`} error={fieldErrors?.tiers} hint='One per line: "upTo unitPrice"; "inf" for the last.'>
          <textarea id={`m-tiers-${planId}`} name="tiers" rows={3} placeholder={"1000 0.01\ninf 0.005"} className={`${inputClass} font-mono text-xs`} />
        </Field>
        <div><Button type="submit" disabled={pending}>Add meter</Button>{!fieldErrors && <Err error={error} />}</div>
      </form>
    </details>
  );
}

export function RemoveMeterButton({ id, handle }: { id: string; handle: string }) {
  const { submit, pending } = useFormAction(() => removeMeterAction({ id }));
  return (
    <form onSubmit={(e) => (confirm(`Remove the meter ${handle}? Events with this handle will be predicted non-billable.`) ? submit(e) : e.preventDefault())}>
      <Button type="submit" variant="danger" className="px-2 py-0.5 text-xs" disabled={pending}>Remove</Button>
    </form>
  );
}

export function AddShopForm({ connectionId }: { connectionId: string }) {
  const { submit, pending, fieldErrors, error } = useFormAction((i) => addShopAction({ connectionId, ...(i as Record<string, string>) } as never));
  return (
    <form onSubmit={submit} className="mt-4 grid gap-2 border-t border-zinc-200 pt-4 md:grid-cols-4 dark:border-zinc-800" noValidate>
      <Field label="Shop id" htmlFor="s-id" error={fieldErrors?.shopId}><input id="s-id" name="shopId" className={inputClass} /></Field>
      <Field label="Domain" htmlFor="s-domain" error={fieldErrors?.domain}><input id="s-domain" name="domain" placeholder="shop.myshopify.com" className={inputClass} /></Field>
      <label className="flex items-end gap-2 pb-2 text-sm"><input type="checkbox" name="isDevStore" /> development store</label>
      <div className="flex items-end"><Button type="submit" disabled={pending}>Add shop</Button></div>
      {!fieldErrors && <Err error={error} />}
    </form>
  );
}

export function AddPriceItemForm({ connectionId }: { connectionId: string }) {
  const { submit, pending, fieldErrors, error } = useFormAction((i) => addPriceItemAction({ connectionId, ...(i as Record<string, string>) } as never));
  return (
    <form onSubmit={submit} className="mt-4 grid gap-2 border-t border-zinc-200 pt-4 md:grid-cols-5 dark:border-zinc-800" noValidate>
      <Field label="Kind" htmlFor="w-kind" error={fieldErrors?.kind}><input id="w-kind" name="kind" className={inputClass} /></Field>
      <Field label="Description" htmlFor="w-desc" error={fieldErrors?.description}><input id="w-desc" name="description" className={inputClass} /></Field>
      <Field label="Unit price" htmlFor="w-price" error={fieldErrors?.unitPrice}><input id="w-price" name="unitPrice" inputMode="decimal" className={inputClass} /></Field>
      <Field label="Currency" htmlFor="w-cur" error={fieldErrors?.currency}><input id="w-cur" name="currency" defaultValue="USD" className={inputClass} /></Field>
      <div className="flex items-end"><Button type="submit" disabled={pending}>Save price</Button></div>
      {!fieldErrors && <Err error={error} />}
    </form>
  );
}
