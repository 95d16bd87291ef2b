"use client";

import { Button, inputClass } from "@/components/ui/form";
import { setDefaultChargeLimitAction } from "@/lib/actions/wix-instances";
import { useFormAction } from "@/lib/hooks/use-form-action";

/** Admins: a Wix connection's default initial charge limit. */
export function DefaultLimitForm({ connectionId, name, value }: { connectionId: string; name: string; value: string }) {
  const { submit, pending, error, fieldErrors, result } = useFormAction(
    (input) => setDefaultChargeLimitAction({ connectionId, defaultChargeLimit: String(input.defaultChargeLimit ?? "") }),
    undefined,
    { resetOnSuccess: false },
  );
  const id = `default-limit-${connectionId}`;
  const problem = fieldErrors?.defaultChargeLimit?.[0] ?? error;
  return (
    <form onSubmit={submit} className="flex flex-wrap items-end gap-2" noValidate>
      <label htmlFor={id} className="min-w-52 flex-1 text-sm">
        <span className="mb-1 block font-medium">{name}</span>
        <input
          id={id}
          name="defaultChargeLimit"
          defaultValue={value}
          inputMode="decimal"
          placeholder="50.00"
          className={inputClass}
          aria-invalid={!!problem}
          aria-describedby={problem ? `${id}-error` : undefined}
        />
      </label>
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? "Saving…" : "Save"}
      </Button>
      {problem && (
        <p id={`${id}-error`} role="alert" className="w-full text-xs text-red-600 dark:text-red-400">
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
