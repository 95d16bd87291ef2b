"use client";

import { Button, Field, inputClass } from "@/components/ui/form";
import { clearSignInThrottleAction, createUserAction, updateUserAction } from "@/lib/actions/users";
import { useFormAction } from "@/lib/hooks/use-form-action";

export function CreateUserForm() {
  const { submit, pending, fieldErrors, error, result } = useFormAction((input) => createUserAction(input as never));
  const err = (k: string) => fieldErrors?.[k];
  return (
    <form onSubmit={submit} className="grid gap-3 md:grid-cols-4" noValidate>
      <Field label="Name" htmlFor="u-name" error={err("name")}>
        <input id="u-name" name="name" className={inputClass} aria-invalid={!!err("name")} />
      </Field>
      <Field label="Email" htmlFor="u-email" error={err("email")}>
        <input id="u-email" name="email" type="email" className={inputClass} aria-invalid={!!err("email")} />
      </Field>
      <Field label="Password" htmlFor="u-password" error={err("password")} hint="At least 12 characters.">
        <input id="u-password" name="password" type="password" autoComplete="new-password" className={inputClass} aria-invalid={!!err("password")} />
      </Field>
      <Field label="Role" htmlFor="u-role" error={err("role")}>
        <select id="u-role" name="role" defaultValue="viewer" className={inputClass}>
          <option value="viewer">viewer</option>
          <option value="operator">operator</option>
          <option value="admin">admin</option>
        </select>
      </Field>
      <div className="md:col-span-4">
        <Button type="submit" disabled={pending}>
          {pending ? "Adding…" : "Add user"}
        </Button>
        {error && (
          <p role="alert" className="mt-2 text-sm text-red-600 dark:text-red-400">
            {error}
          </p>
        )}
        {result?.ok && (
          <p role="status" className="mt-2 text-sm text-emerald-700 dark:text-emerald-400">
            User added.
          </p>
        )}
      </div>
    </form>
  );
}

export function UserRowActions({ id, role, disabled }: { id: string; role: string; disabled: boolean }) {
  const roleForm = useFormAction((input) => updateUserAction({ id, role: input.role as never }), undefined, { resetOnSuccess: false });
  const disableForm = useFormAction(() => updateUserAction({ id, disabled: !disabled }), undefined, { resetOnSuccess: false });
  return (
    <div className="flex items-center gap-2">
      <form onSubmit={roleForm.submit} className="flex items-center gap-2">
        <label className="sr-only" htmlFor={`role-${id}`}>
          Role
        </label>
        {/* Keyed by the saved role, so the select shows it after a save while this row keeps its messages. */}
        <select key={role} id={`role-${id}`} name="role" defaultValue={role} className={`${inputClass.replace("block w-full ", "")} w-32 py-1`}>
          <option value="viewer">viewer</option>
          <option value="operator">operator</option>
          <option value="admin">admin</option>
        </select>
        <Button type="submit" variant="secondary" className="px-2 py-1 text-xs" disabled={roleForm.pending}>
          Save role
        </Button>
      </form>
      <form onSubmit={disableForm.submit}>
        <Button type="submit" variant={disabled ? "secondary" : "danger"} className="px-2 py-1 text-xs" disabled={disableForm.pending}>
          {disabled ? "Enable" : "Disable"}
        </Button>
      </form>
      {(roleForm.error || disableForm.error) && (
        <span role="alert" className="text-xs text-red-600 dark:text-red-400">
          {roleForm.error ?? disableForm.error}
        </span>
      )}
      {roleForm.result?.ok && (
        <span role="status" className="text-xs text-emerald-700 dark:text-emerald-400">
          Role saved.
        </span>
      )}
    </div>
  );
}

export function ClearThrottleButton({ scope, subject }: { scope: "account" | "address"; subject: string }) {
  const clear = useFormAction(() => clearSignInThrottleAction({ scope, subject }), undefined, { resetOnSuccess: false });
  return (
    <form onSubmit={clear.submit} className="flex items-center gap-2">
      <Button type="submit" variant="secondary" className="px-2 py-1 text-xs" disabled={clear.pending} aria-label={`Clear ${scope} ${subject}`}>
        Clear
      </Button>
      {clear.error && (
        <span role="alert" className="text-xs text-red-600 dark:text-red-400">
          {clear.error}
        </span>
      )}
    </form>
  );
}
