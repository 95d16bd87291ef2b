"use client";

import { useState } from "react";
import { Button, inputClass } from "@/components/ui/form";
import { acknowledgeAlertAction, setAlertWebhookAction } from "@/lib/actions/alerts";
import { useFormAction } from "@/lib/hooks/use-form-action";

/** Operators: acknowledge an alert, with an optional note kept in the audit log. */
export function AcknowledgeButton({ id }: { id: string }) {
  const [open, setOpen] = useState(false);
  const { submit, pending, error } = useFormAction(
    (input) => acknowledgeAlertAction({ id, note: String(input.note ?? "") }),
    () => setOpen(false),
  );
  if (!open) {
    return (
      <Button type="button" variant="secondary" className="px-2 py-1 text-xs" onClick={() => setOpen(true)}>
        Acknowledge
      </Button>
    );
  }
  return (
    <form onSubmit={submit} className="flex w-full flex-wrap items-center gap-2 sm:w-auto" noValidate>
      <label className="sr-only" htmlFor={`ack-note-${id}`}>
        Note (optional)
      </label>
      <input id={`ack-note-${id}`} name="note" placeholder="Note (optional)" maxLength={500} className={`${inputClass} py-1 text-xs sm:w-56`} autoFocus />
      <Button type="submit" className="px-2 py-1 text-xs" disabled={pending}>
        {pending ? "Saving…" : "Confirm"}
      </Button>
      <Button type="button" variant="secondary" className="px-2 py-1 text-xs" onClick={() => setOpen(false)}>
        Cancel
      </Button>
      {error && (
        <p role="alert" className="w-full text-xs text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
    </form>
  );
}

/** Admins: where a connection's alerts are POSTed. */
export function WebhookForm({ connectionId, name, value }: { connectionId: string; name: string; value: string }) {
  const { submit, pending, error, fieldErrors, result } = useFormAction(
    (input) => setAlertWebhookAction({ connectionId, alertWebhookUrl: String(input.alertWebhookUrl ?? "") }),
    undefined,
    { resetOnSuccess: false },
  );
  const id = `webhook-${connectionId}`;
  const problem = fieldErrors?.alertWebhookUrl?.[0] ?? error;
  return (
    <form onSubmit={submit} className="flex flex-wrap items-end gap-2" noValidate>
      <label htmlFor={id} className="min-w-0 flex-1 basis-64 text-sm">
        <span className="mb-1 block font-medium">{name}</span>
        <input
          id={id}
          name="alertWebhookUrl"
          type="url"
          defaultValue={value}
          placeholder="https://hooks.example.com/billing-alerts"
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
