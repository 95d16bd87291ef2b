"use client";

import { useState } from "react";
import { Button, Field, inputClass } from "@/components/ui/form";
import { createApiKeyAction, revokeApiKeyAction } from "@/lib/actions/api-keys";
import { useFormAction } from "@/lib/hooks/use-form-action";

export function ApiKeyForm() {
  const [shown, setShown] = useState<string | null>(null);
  const { submit, pending, fieldErrors, error } = useFormAction(
    (input) => createApiKeyAction({ name: String(input.name ?? ""), scopes: (["ingest", "read_usage"] as const).filter((k) => input[`scope_${k}`] === "on") }),
    (d) => setShown(d.key),
  );
  return (
    <form onSubmit={submit} className="flex flex-wrap items-end gap-3">
      <div className="min-w-64 flex-1">
        <Field label="New key name" htmlFor="key-name" error={fieldErrors?.name}>
          <input id="key-name" name="name" className={inputClass} placeholder="orders-service" aria-invalid={!!fieldErrors?.name} />
        </Field>
      </div>
      <fieldset className="flex flex-wrap gap-3 text-sm">
        <legend className="sr-only">Scopes</legend>
        <label className="flex items-center gap-1">
          <input type="checkbox" name="scope_ingest" defaultChecked /> send events
        </label>
        <label className="flex items-center gap-1">
          <input type="checkbox" name="scope_read_usage" /> read usage
        </label>
      </fieldset>
      {fieldErrors?.scopes && (
        <p role="alert" className="w-full text-sm text-red-600 dark:text-red-400">
          {fieldErrors.scopes.join(" ")}
        </p>
      )}
      <Button type="submit" disabled={pending}>
        {pending ? "Creating…" : "Create key"}
      </Button>
      {error && !fieldErrors && (
        <p role="alert" className="w-full text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
      {shown && (
        <div role="status" className="w-full rounded-md bg-amber-50 p-3 text-sm dark:bg-amber-950">
          Copy this key now; it will not be shown again:
          <code data-testid="new-api-key" className="mt-1 block font-mono break-all">
            {shown}
          </code>
        </div>
      )}
    </form>
  );
}

export function RevokeKeyButton({ id, name }: { id: string; name: string }) {
  const { submit, pending, error } = useFormAction(() => revokeApiKeyAction({ id }));
  return (
    <form onSubmit={(e) => (confirm(`Revoke “${name}”? Services using it stop at once.`) ? submit(e) : e.preventDefault())}>
      <Button variant="danger" type="submit" disabled={pending} className="px-2 py-1 text-xs">
        Revoke
      </Button>
      {error && <span className="ml-2 text-xs text-red-600 dark:text-red-400">{error}</span>}
    </form>
  );
}
