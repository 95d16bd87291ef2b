"use client";

import { useState } from "react";
import { Button, inputClass } from "@/components/ui/form";
import { closeCycleAction, importLogFileAction, importSandboxLogAction, markVerdictsAction, resolveMismatchAction } from "@/lib/actions/reconcile";
import { useFormAction } from "@/lib/hooks/use-form-action";

const small = `${inputClass.replace("block w-full ", "")} py-1 text-xs`;

export function ImportPanel({ connectionId, sandbox }: { connectionId: string; sandbox: boolean }) {
  const log = useFormAction(() => importSandboxLogAction({ connectionId }), undefined, { resetOnSuccess: false });
  const file = useFormAction(async (input) => {
    const f = input.file as File;
    return importLogFileAction({ connectionId, format: f.name?.toLowerCase().endsWith(".json") ? "json" : "csv", text: f.size ? await f.text() : "" });
  });
  return (
    <div className="flex flex-wrap items-start gap-6">
      {sandbox && (
        <form onSubmit={log.submit}>
          <Button type="submit" disabled={log.pending}>{log.pending ? "Importing…" : "Import the sandbox's log"}</Button>
          {log.result?.ok && <p role="status" className="mt-1 text-xs text-emerald-700">{log.result.data.imported} rows read, {log.result.data.verdictsApplied} verdicts recorded.</p>}
          {log.error && <p role="alert" className="mt-1 text-xs text-red-600">{log.error}</p>}
        </form>
      )}
      <form onSubmit={file.submit} className="flex flex-wrap items-center gap-2">
        <label className="text-sm" htmlFor="log-file">Dev Dashboard log file (CSV or JSON)</label>
        <input id="log-file" name="file" type="file" accept=".csv,.json,text/csv,application/json" className="text-xs" />
        <Button type="submit" variant="secondary" disabled={file.pending}>{file.pending ? "Importing…" : "Import file"}</Button>
        {file.result?.ok && <p role="status" className="w-full text-xs text-emerald-700">{file.result.data.imported} rows imported, {file.result.data.verdictsApplied} verdicts recorded.</p>}
        {file.error && <p role="alert" className="w-full text-xs text-red-600">{file.fieldErrors?.file?.[0] ? `Refused, nothing imported: ${file.fieldErrors.file[0]}` : file.error}</p>}
      </form>
    </div>
  );
}

const labels = { accept_platform: "Accept Shopify's verdict", resend: "Resend (same key)", correct: "Record a correction" } as const;

export function ResolveForm({ eventId, resolutions }: { eventId: string; resolutions: (keyof typeof labels)[] }) {
  const [resolution, setResolution] = useState(resolutions[0]!);
  const { submit, pending, error, fieldErrors, result } = useFormAction((input) => resolveMismatchAction({ eventId, resolution, note: String(input.note ?? ""), quantity: String(input.quantity ?? "") }));
  return (
    <form onSubmit={submit} className="ml-auto flex flex-wrap items-center gap-1">
      <select aria-label="Resolution" value={resolution} onChange={(e) => setResolution(e.target.value as keyof typeof labels)} className={`${small} w-48`}>
        {resolutions.map((r) => <option key={r} value={r}>{labels[r]}</option>)}
      </select>
      {resolution === "correct" && <input name="quantity" aria-label="Corrected units" placeholder="units" className={`${small} w-20`} />}
      <input name="note" aria-label="Note" placeholder="note (required)" className={`${small} w-48`} aria-invalid={!!fieldErrors?.note} />
      <Button type="submit" variant="secondary" className="px-2 py-1 text-xs" disabled={pending}>Resolve</Button>
      {error && <span role="alert" className="text-xs text-red-600">{fieldErrors?.note?.[0] ?? fieldErrors?.quantity?.[0] ?? error}</span>}
      {result?.ok && <span role="status" className="text-xs text-emerald-700">Done.</span>}
    </form>
  );
}

export function MarkVerdictsForm({ events }: { events: { eventId: string; key: string }[] }) {
  const { submit, pending, error, fieldErrors, result } = useFormAction((input) =>
    markVerdictsAction({ eventIds: events.filter((e) => input[`e-${e.eventId}`]).map((e) => e.eventId), verdict: input.verdict as never, code: String(input.code ?? "") as never, note: String(input.note ?? "") }),
  );
  return (
    <form onSubmit={submit} className="mt-3 rounded-md border border-zinc-200 p-3 text-sm dark:border-zinc-800">
      <p className="mb-2 font-medium">Mark the platform&apos;s verdict by hand</p>
      <div className="mb-2 flex flex-wrap gap-3">
        {events.map((e) => (
          <label key={e.eventId} className="flex items-center gap-1 font-mono text-xs"><input type="checkbox" name={`e-${e.eventId}`} /> {e.key}</label>
        ))}
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <select name="verdict" aria-label="Verdict" className={`${small} w-36`} defaultValue="billable">
          <option value="billable">billable</option><option value="non_billable">non-billable</option><option value="failed">failed with code…</option>
        </select>
        <select name="code" aria-label="Code" className={`${small} w-56`} defaultValue="">
          <option value="">(no code)</option>
          {["NO_SUBSCRIPTION", "ACCOUNT_FROZEN", "SUBSCRIPTION_NOT_METERED", "INVALID_TIMESTAMP", "IDEMPOTENCY_KEY_ERROR", "INVALID_VALUE", "MISSING_VALUE_KEY", "PERIOD_CLOSED", "INVALID_ACCOUNT"].map((c) => <option key={c}>{c}</option>)}
        </select>
        <input name="note" aria-label="Note for the marking" placeholder="note (required)" className={`${small} w-64`} />
        <Button type="submit" variant="secondary" className="px-2 py-1 text-xs" disabled={pending}>Mark</Button>
        {error && <span role="alert" className="text-xs text-red-600">{fieldErrors?.eventIds?.[0] ?? fieldErrors?.note?.[0] ?? fieldErrors?.code?.[0] ?? error}</span>}
        {result?.ok && <span role="status" className="text-xs text-emerald-700">{result.data.marked} marked.</span>}
      </div>
    </form>
  );
}

export function CloseCycleForm({ connectionId, shopId, reclose }: { connectionId: string; shopId: string; reclose: boolean }) {
  const { submit, pending, error, fieldErrors } = useFormAction((input) => closeCycleAction({ connectionId, shopId, note: String(input.note ?? "") }));
  return (
    <form onSubmit={submit} className="mt-3 flex flex-wrap items-center gap-2 border-t border-zinc-200 pt-3 dark:border-zinc-800">
      <input name="note" aria-label="Closing note" placeholder="What was checked" className={`${small} w-72`} />
      <Button type="submit" variant="secondary" className="px-2 py-1 text-xs" disabled={pending}>{reclose ? "Close again with today's figures" : "Close cycle as reconciled"}</Button>
      {error && <span role="alert" className="text-xs text-red-600">{fieldErrors?.note?.[0] ?? error}</span>}
    </form>
  );
}
