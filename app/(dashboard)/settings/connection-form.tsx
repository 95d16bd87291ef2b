"use client";

import { useState } from "react";
import { Button, Field, inputClass } from "@/components/ui/form";
import { createConnectionAction } from "@/lib/actions/connections";
import { useFormAction } from "@/lib/hooks/use-form-action";

export function ConnectionForm() {
  const [platform, setPlatform] = useState<"shopify" | "wix">("shopify");
  const { submit, pending, fieldErrors, error, result } = useFormAction((input) => createConnectionAction(input as never));
  const f = (name: string, label: string, props: React.InputHTMLAttributes<HTMLInputElement> = {}, hint?: string) => (
    <Field label={label} htmlFor={`c-${name}`} error={fieldErrors?.[name]} hint={hint}>
      <input id={`c-${name}`} name={name} className={inputClass} aria-invalid={!!fieldErrors?.[name]} {...props} />
    </Field>
  );
  return (
    <details className="mt-4 rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
      <summary className="cursor-pointer text-sm font-medium">Add a connection</summary>
      <form onSubmit={submit} className="mt-3 grid gap-3 md:grid-cols-2">
        {f("name", "Name", { placeholder: "SMS Blaster (live)" })}
        <Field label="Platform" htmlFor="c-platform" error={fieldErrors?.platform}>
          <select id="c-platform" name="platform" className={inputClass} value={platform} onChange={(e) => setPlatform(e.target.value as "shopify" | "wix")}>
            <option value="shopify">Shopify</option>
            <option value="wix">Wix</option>
          </select>
        </Field>
        <Field label="Environment" htmlFor="c-environment" error={fieldErrors?.environment}>
          <select id="c-environment" name="environment" className={inputClass} defaultValue="live">
            <option value="live">live</option>
            <option value="sandbox">sandbox</option>
          </select>
        </Field>
        {f("apiBaseUrl", "API base URL", { defaultValue: platform === "shopify" ? "https://api.shopify.com" : "https://www.wixapis.com" })}
        {f("clientId", platform === "shopify" ? "Client id" : "App id")}
        {f("clientSecret", platform === "shopify" ? "Client secret" : "App secret", { type: "password", autoComplete: "off" }, "Stored encrypted.")}
        {platform === "shopify" ? (
          <>
            {f("appGid", "App GID (Partner API)", { placeholder: "gid://shopify/App/1234" })}
            {f("partnerApiUrl", "Partner API GraphQL URL", { placeholder: "https://partners.shopify.com/<org>/api/2026-07/graphql.json" })}
            {f("partnerApiToken", "Partner API token", { type: "password", autoComplete: "off" }, "Reads each shop's subscription and billing cycle.")}
          </>
        ) : (
          <>
            {f("apiKey", "API key (for uninstalled instances)", { type: "password", autoComplete: "off" })}
            {f("accountId", "Wix account id")}
            {f("defaultChargeLimit", "Default charge limit", { placeholder: "50.00" }, "Answered on Get Charge Limit; overridable per instance.")}
            <div className="md:col-span-2">
              <Field label="Service plugin public key (PEM)" htmlFor="c-pluginPublicKey" error={fieldErrors?.pluginPublicKey}>
                <textarea id="c-pluginPublicKey" name="pluginPublicKey" rows={4} className={`${inputClass} font-mono text-xs`} />
              </Field>
            </div>
          </>
        )}
        <div className="md:col-span-2">
          <Button type="submit" disabled={pending}>
            {pending ? "Saving…" : "Add connection"}
          </Button>
          {error && (
            <p role="alert" className="mt-2 text-sm text-red-600 dark:text-red-400">
              {error}
            </p>
          )}
          {result?.ok && (
            <p role="status" className="mt-2 text-sm text-emerald-700 dark:text-emerald-400">
              Connection added.
            </p>
          )}
        </div>
      </form>
    </details>
  );
}
