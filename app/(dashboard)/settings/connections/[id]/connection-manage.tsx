"use client";

import { useRouter } from "next/navigation";
import { Button, Field, inputClass } from "@/components/ui/form";
import {
  deleteConnectionAction,
  rotateSecretAction,
  setConnectionEnabledAction,
  testCredentialsAction,
  updateConnectionAction,
} from "@/lib/actions/connection-lifecycle";
import { useFormAction } from "@/lib/hooks/use-form-action";
import type { CheckStep } from "@/lib/services/connections/checks";

/** A connection's life for admins: edit, test, rotate, disable / enable, delete or archive. */
const Err = ({ error }: { error?: string }) =>
  error ? (
    <p role="alert" className="mt-2 text-sm text-red-600 dark:text-red-400">
      {error}
    </p>
  ) : null;
const Ok = ({ children }: { children: React.ReactNode }) => (
  <p role="status" className="mt-2 text-sm text-emerald-700 dark:text-emerald-400">
    {children}
  </p>
);

export type EditableConnection = {
  id: string;
  name: string;
  platform: "shopify" | "wix";
  apiBaseUrl: string;
  partnerApiUrl: string | null;
  alertWebhookUrl: string | null;
  personalDataMode: "refuse" | "warn";
  disabled: boolean;
  archived: boolean;
};

export function EditConnectionForm({ c }: { c: EditableConnection }) {
  const { submit, pending, fieldErrors, error, result } = useFormAction(
    (i) => updateConnectionAction({ id: c.id, ...(i as Record<string, string>) } as never),
    undefined,
    { resetOnSuccess: false },
  );
  const f = (name: keyof EditableConnection, label: string, hint?: string) => (
    <Field label={label} htmlFor={`e-${name}`} error={fieldErrors?.[name]} hint={hint}>
      <input id={`e-${name}`} name={name} defaultValue={(c[name] as string | null) ?? ""} className={inputClass} aria-invalid={!!fieldErrors?.[name]} />
    </Field>
  );
  return (
    <form onSubmit={submit} className="grid gap-3 md:grid-cols-2" noValidate aria-label="Edit the connection">
      {f("name", "Name")}
      {f("apiBaseUrl", "API base URL")}
      {c.platform === "shopify" && f("partnerApiUrl", "Partner API GraphQL URL")}
      {f("alertWebhookUrl", "Alert webhook URL", "Alerts are POSTed here as JSON. Empty: none.")}
      {c.platform === "shopify" && (
        <Field
          label="Personal data in attributes"
          htmlFor="e-personalDataMode"
          error={fieldErrors?.personalDataMode}
          hint="Shopify forbids it and checks nothing. Emails, phone numbers, street addresses and keys such as email or first_name are caught."
        >
          <select id="e-personalDataMode" name="personalDataMode" defaultValue={c.personalDataMode} className={inputClass}>
            <option value="refuse">Refuse the event (nothing stored)</option>
            <option value="warn">Store it held, with a warning</option>
          </select>
        </Field>
      )}
      <div className="md:col-span-2">
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save changes"}
        </Button>
        {!fieldErrors && <Err error={error} />}
        {result?.ok && <Ok>Saved.</Ok>}
      </div>
    </form>
  );
}

export function CheckSteps({ steps }: { steps: CheckStep[] }) {
  return (
    <ul className="mt-2 space-y-1 text-sm" data-testid="check-steps">
      {steps.map((s) => (
        <li key={s.step} className={s.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-600 dark:text-red-400"}>
          <span aria-hidden>{s.ok ? "✓" : "✗"}</span> <span className="font-medium">{s.step}</span>: <span className="break-words">{s.detail}</span>
        </li>
      ))}
    </ul>
  );
}

export function TestCredentialsButton({ id }: { id: string }) {
  const { submit, pending, error, result } = useFormAction(() => testCredentialsAction({ id }), undefined, { resetOnSuccess: false });
  return (
    <form onSubmit={submit}>
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? "Testing…" : "Test credentials"}
      </Button>
      <Err error={error} />
      {result?.ok && (
        <div role="status" aria-live="polite">
          <p className={`mt-2 text-sm font-medium ${result.data.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-600 dark:text-red-400"}`}>
            {result.data.ok ? "The credentials work." : "The credentials do not work."}
          </p>
          <CheckSteps steps={result.data.steps} />
        </div>
      )}
    </form>
  );
}

export function RotateSecretForm({ id, platform }: { id: string; platform: "shopify" | "wix" }) {
  const { submit, pending, fieldErrors, error, result } = useFormAction((i) => rotateSecretAction({ id, ...(i as Record<string, string>) } as never));
  return (
    <form onSubmit={submit} className="grid gap-3 md:grid-cols-[auto_1fr_auto] md:items-end" noValidate aria-label="Rotate a secret">
      <Field label="Secret" htmlFor="r-secret" error={fieldErrors?.secret}>
        <select id="r-secret" name="secret" className={inputClass} defaultValue="clientSecret">
          <option value="clientSecret">{platform === "shopify" ? "Client secret" : "App secret"}</option>
          {platform === "shopify" && <option value="partnerApiToken">Partner API token</option>}
        </select>
      </Field>
      <Field
        label="New value"
        htmlFor="r-value"
        error={fieldErrors?.value}
        hint="Checked against the platform first; the old one stays until the new one works."
      >
        <input id="r-value" name="value" type="password" autoComplete="off" className={inputClass} aria-invalid={!!fieldErrors?.value} />
      </Field>
      <div className="md:pb-6">
        <Button type="submit" disabled={pending}>
          {pending ? "Checking…" : "Check and rotate"}
        </Button>
      </div>
      <div className="md:col-span-3">
        <Err error={error} />
        {result?.ok && (
          <>
            <Ok>Rotated: the new secret is in use.</Ok>
            <CheckSteps steps={result.data.steps} />
          </>
        )}
      </div>
    </form>
  );
}

export function EnableToggle({ id, disabled, archived }: { id: string; disabled: boolean; archived: boolean }) {
  const { submit, pending, error } = useFormAction(() => setConnectionEnabledAction({ id, enabled: disabled }));
  if (archived) return <p className="text-sm text-zinc-500">Archived connections stay disabled.</p>;
  return (
    <form
      onSubmit={(e) =>
        disabled || confirm("Disable this connection? Events are still taken in but held until you enable it again.") ? submit(e) : e.preventDefault()
      }
    >
      <Button type="submit" variant={disabled ? "primary" : "secondary"} disabled={pending}>
        {disabled ? "Enable delivery" : "Disable delivery"}
      </Button>
      <Err error={error} />
    </form>
  );
}

export function DeleteConnectionButton({ id, name }: { id: string; name: string }) {
  const router = useRouter();
  const { submit, pending, error, result } = useFormAction(
    () => deleteConnectionAction({ id }),
    (r) => {
      if (r.deleted) router.push("/settings");
    },
  );
  return (
    <form
      onSubmit={(e) =>
        confirm(`Delete “${name}”? If events, shops or instances refer to it, it is archived instead (disabled and kept for the ledger).`)
          ? submit(e)
          : e.preventDefault()
      }
    >
      <Button type="submit" variant="danger" disabled={pending}>
        Delete connection
      </Button>
      <Err error={error} />
      {result?.ok && !result.data.deleted && (
        <Ok>
          Archived instead of deleted:{" "}
          {Object.entries(result.data.referencedBy ?? {})
            .map(([k, n]) => `${n} ${k}`)
            .join(", ")}{" "}
          refer to it.
        </Ok>
      )}
    </form>
  );
}
