"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button, inputClass } from "@/components/ui/form";
import { runScenarioAction } from "@/lib/actions/test-charges";

type StoreGroup = { id: string; name: string; environment: string; stores: { id: string; label: string; plan: string | null; installed: boolean }[] };

export function ScenarioForm({ connections, canRun }: { connections: StoreGroup[]; canRun: boolean }) {
  const router = useRouter();
  const first = connections.find((c) => c.environment === "sandbox") ?? connections[0]!;
  const [target, setTarget] = useState(`${first.id}:${first.stores[0]!.id}`);
  const live = connections.find((c) => target.startsWith(`${c.id}:`))?.environment === "live";
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const run = () =>
    startTransition(async () => {
      setError(null);
      const r = await runScenarioAction({ target });
      if (!r.ok) return setError(r.error);
      const params = new URLSearchParams(window.location.search);
      params.set("run", r.data.runId);
      router.replace(`/test-charges?${params}`, { scroll: false });
    });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        run();
      }}
      className="flex flex-wrap items-end gap-3"
      data-testid="scenario-form"
    >
      <div className="w-full sm:w-auto sm:min-w-80">
        <label htmlFor="scenario-store" className="mb-1 block text-sm font-medium">
          Development store
        </label>
        <select
          id="scenario-store"
          className={inputClass}
          value={target}
          onChange={(e) => {
            setTarget(e.target.value);
            setError(null);
          }}
          disabled={!canRun || pending}
        >
          {connections.map((c) => (
            <optgroup key={c.id} label={`${c.name} (${c.environment})`}>
              {c.stores.map((s) => (
                <option key={s.id} value={`${c.id}:${s.id}`}>
                  {s.label}
                  {s.plan ? ` · ${s.plan}` : " · no plan"}
                  {s.installed ? "" : " (uninstalled)"}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </div>
      <Button type="submit" disabled={!canRun || pending}>
        {pending ? "Running the tutorial…" : "Run the tutorial"}
      </Button>
      {pending && (
        <p className="w-full text-sm text-zinc-500 dark:text-zinc-400" aria-live="polite">
          Sending steps 1–4 and waiting for their delivery, then the uninstall and the late event: a few seconds.
        </p>
      )}
      {live && !error && (
        <p className="w-full text-sm text-amber-800 dark:text-amber-300">
          This store belongs to a live connection: the scenario runs only on sandbox connections.
        </p>
      )}
      {error && (
        <p role="alert" className="w-full text-sm text-red-600 dark:text-red-400" data-testid="scenario-error">
          {error}
        </p>
      )}
    </form>
  );
}
