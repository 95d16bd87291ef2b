"use client";

import { Button, Field, inputClass } from "@/components/ui/form";
import { addMeterAction, addPlanAction, addPriceItemAction, previewImportAction, refreshConnectionAction, removeMeterAction } from "@/lib/actions/plans";
import { useFormAction } from "@/lib/hooks/use-form-action";

const Err = ({ error }: { error?: string }) =>
  error ? (
    <p role="alert" className="mt-1 text-sm text-red-600 dark:text-red-400">
      {error}
    </p>
  ) : null;

/** "Import from the sandbox": first what it would change, then the import once a person confirms it. */
export function SandboxImport({ connectionId }: { connectionId: string }) {
  const preview = useFormAction(() => previewImportAction({ connectionId }), undefined, { resetOnSuccess: false });
  const shown = preview.result?.ok ? preview.result.data : null;
  const apply = useFormAction(() => refreshConnectionAction({ connectionId, fingerprint: shown?.fingerprint }), undefined, { resetOnSuccess: false });
  const done = apply.result?.ok ? apply.result.data : null;
  return (
    <div className="max-w-xl text-right">
      <form onSubmit={preview.submit}>
        <Button type="submit" disabled={preview.pending}>
          {preview.pending ? "Reading the sandbox…" : "Import from the sandbox"}
        </Button>
        <Err error={preview.error} />
      </form>
      {shown && !done && (
        <div className="mt-2 rounded-md border border-zinc-200 p-3 text-left text-sm dark:border-zinc-800" data-testid="import-preview">
          {shown.changes.length === 0 ? (
            <p role="status">Nothing would change: everything matches the sandbox ({shown.unchanged} items).</p>
          ) : (
            <>
              <p role="status" className="font-medium">
                The import would make {shown.changes.length} change{shown.changes.length === 1 ? "" : "s"} ({shown.unchanged} items stay as they are):
              </p>
              <ul className="mt-2 max-h-60 space-y-1 overflow-y-auto">
                {shown.changes.map((c, i) => (
                  <li key={i} className={c.action === "replace" || c.action === "remove" ? "text-amber-800 dark:text-amber-300" : ""}>
                    <span className="font-medium">
                      {c.action} {c.kind}
                    </span>
                    : <span className="break-words">{c.what}</span>
                  </li>
                ))}
              </ul>
              <form onSubmit={apply.submit} className="mt-3">
                <Button type="submit" disabled={apply.pending}>
                  {apply.pending ? "Importing…" : shown.changes.some((c) => c.action === "replace" || c.action === "remove") ? "Import and replace" : "Import"}
                </Button>
                <Err error={apply.error} />
              </form>
            </>
          )}
        </div>
      )}
      {done && (
        <p role="status" className="mt-1 text-xs text-emerald-700 dark:text-emerald-400">
          Imported:{" "}
          {Object.entries(done)
            .map(([k, v]) => `${v} ${k}`)
            .join(", ")}
          .
        </p>
      )}
    </div>
  );
}

export function RefreshButton({ connectionId, label }: { connectionId: string; label: string | null }) {
  const { submit, pending, error, result } = useFormAction(() => refreshConnectionAction({ connectionId }), undefined, { resetOnSuccess: false });
  if (!label) return null;
  return (
    <form onSubmit={submit} className="text-right">
      <Button type="submit" disabled={pending}>
        {pending ? "Working…" : label}
      </Button>
      {result?.ok && (
        <p role="status" className="mt-1 text-xs text-emerald-700 dark:text-emerald-400">
          Imported:{" "}
          {Object.entries(result.data)
            .map(([k, v]) => `${v} ${k}`)
            .join(", ")}
          .
        </p>
      )}
      <Err error={error} />
    </form>
  );
}

export function AddPlanForm({ connectionId }: { connectionId: string }) {
  const { submit, pending, fieldErrors, error } = useFormAction((i) => addPlanAction({ connectionId, ...(i as Record<string, string>) } as never));
  return (
    <form onSubmit={submit} className="mt-4 grid gap-2 border-t border-zinc-200 pt-4 md:grid-cols-5 dark:border-zinc-800" noValidate>
      <Field label="Plan handle" htmlFor="p-handle" error={fieldErrors?.handle}>
        <input id="p-handle" name="handle" className={inputClass} />
      </Field>
      <Field label="Name" htmlFor="p-name" error={fieldErrors?.name}>
        <input id="p-name" name="name" className={inputClass} />
      </Field>
      <Field label="Monthly fee" htmlFor="p-fee" error={fieldErrors?.monthlyFee}>
        <input id="p-fee" name="monthlyFee" inputMode="decimal" className={inputClass} />
      </Field>
      <Field label="Currency" htmlFor="p-currency" error={fieldErrors?.currency}>
        <input id="p-currency" name="currency" defaultValue="USD" className={inputClass} />
      </Field>
      <div className="flex items-end">
        <Button type="submit" disabled={pending}>
          Add plan
        </Button>
      </div>
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
        <Field label="Meter handle" htmlFor={`m-handle-${planId}`} error={fieldErrors?.handle}>
          <input id={`m-handle-${planId}`} name="handle" className={inputClass} />
        </Field>
        <Field label="Meter name" htmlFor={`m-name-${planId}`} error={fieldErrors?.name}>
          <input id={`m-name-${planId}`} name="name" className={inputClass} />
        </Field>
        <Field label="Structure" htmlFor={`m-structure-${planId}`} error={fieldErrors?.structure}>
          <select id={`m-structure-${planId}`} name="structure" className={inputClass} defaultValue="fixed">
            <option value="fixed">fixed</option>
            <option value="graduated">graduated</option>
            <option value="volume">volume</option>
          </select>
        </Field>
        <Field label="Unit price (fixed)" htmlFor={`m-price-${planId}`} error={fieldErrors?.unitPrice}>
          <input id={`m-price-${planId}`} name="unitPrice" inputMode="decimal" className={inputClass} />
        </Field>
        <Field label="Included units" htmlFor={`m-included-${planId}`} error={fieldErrors?.includedUnits}>
          <input id={`m-included-${planId}`} name="includedUnits" defaultValue="0" className={inputClass} />
        </Field>
        <Field
          label="Tiers (graduated / volume)"
          htmlFor={`m-tiers-${planId}`}
          error={fieldErrors?.tiers}
          hint='One per line: "upTo unitPrice"; "inf" for the last.'
        >
          <textarea id={`m-tiers-${planId}`} name="tiers" rows={3} placeholder={"1000 0.01\ninf 0.005"} className={`${inputClass} font-mono text-xs`} />
        </Field>
        <div>
          <Button type="submit" disabled={pending}>
            Add meter
          </Button>
          {!fieldErrors && <Err error={error} />}
        </div>
      </form>
    </details>
  );
}

export function RemoveMeterButton({ id, handle }: { id: string; handle: string }) {
  const { submit, pending } = useFormAction(() => removeMeterAction({ id }));
  return (
    <form onSubmit={(e) => (confirm(`Remove the meter ${handle}? Events with this handle will be predicted non-billable.`) ? submit(e) : e.preventDefault())}>
      <Button type="submit" variant="danger" className="px-2 py-0.5 text-xs" disabled={pending}>
        Remove
      </Button>
    </form>
  );
}

export function AddPriceItemForm({ connectionId }: { connectionId: string }) {
  const { submit, pending, fieldErrors, error } = useFormAction((i) => addPriceItemAction({ connectionId, ...(i as Record<string, string>) } as never));
  return (
    <form onSubmit={submit} className="mt-4 grid gap-2 border-t border-zinc-200 pt-4 md:grid-cols-5 dark:border-zinc-800" noValidate>
      <Field label="Kind" htmlFor="w-kind" error={fieldErrors?.kind}>
        <input id="w-kind" name="kind" className={inputClass} />
      </Field>
      <Field label="Description" htmlFor="w-desc" error={fieldErrors?.description}>
        <input id="w-desc" name="description" className={inputClass} />
      </Field>
      <Field label="Unit price" htmlFor="w-price" error={fieldErrors?.unitPrice}>
        <input id="w-price" name="unitPrice" inputMode="decimal" className={inputClass} />
      </Field>
      <Field label="Currency" htmlFor="w-cur" error={fieldErrors?.currency}>
        <input id="w-cur" name="currency" defaultValue="USD" className={inputClass} />
      </Field>
      <div className="flex items-end">
        <Button type="submit" disabled={pending}>
          Save price
        </Button>
      </div>
      {!fieldErrors && <Err error={error} />}
    </form>
  );
}
