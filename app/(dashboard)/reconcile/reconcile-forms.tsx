"use client";

import type { ReactNode } from "react";
import { LocalTime } from "@/components/local-time";
import { Button, inputClass } from "@/components/ui/form";
import { closeCycleAction, importLogFileAction, importSandboxLogAction, refreshFiguresAction, resolveDifferencesAction } from "@/lib/actions/reconcile";
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
          <Button type="submit" disabled={log.pending}>
            {log.pending ? "Importing…" : "Import the sandbox's log"}
          </Button>
          {log.result?.ok && (
            <p role="status" className="mt-1 text-xs text-emerald-800 dark:text-emerald-300">
              {log.result.data.imported} rows read, {log.result.data.verdictsApplied} verdicts recorded.
            </p>
          )}
          {log.error && (
            <p role="alert" className="mt-1 text-xs text-red-700 dark:text-red-300">
              {log.error}
            </p>
          )}
        </form>
      )}
      <form onSubmit={file.submit} className="flex flex-wrap items-center gap-2">
        <label className="text-sm" htmlFor="log-file">
          Dev Dashboard log file (CSV or JSON)
        </label>
        <input id="log-file" name="file" type="file" accept=".csv,.json,text/csv,application/json" className="text-xs" />
        <Button type="submit" variant="secondary" disabled={file.pending}>
          {file.pending ? "Importing…" : "Import file"}
        </Button>
        {file.result?.ok && (
          <p role="status" className="w-full text-xs text-emerald-800 dark:text-emerald-300">
            {file.result.data.imported} rows imported, {file.result.data.verdictsApplied} verdicts recorded; compared as of the file&apos;s log rows up to{" "}
            <LocalTime iso={file.result.data.asOf} />.
          </p>
        )}
        {file.error && (
          <p role="alert" className="w-full text-xs text-red-700 dark:text-red-300">
            {file.fieldErrors?.file?.[0] ? `Refused, nothing imported: ${file.fieldErrors.file[0]}` : file.error}
          </p>
        )}
      </form>
    </div>
  );
}

/** "Refresh now": asks the worker for a pull of this connection's platform figures. */
export function RefreshButton({ connectionId, disabled }: { connectionId: string; disabled: boolean }) {
  const { submit, pending, error } = useFormAction(() => refreshFiguresAction({ connectionId }), undefined, { resetOnSuccess: false });
  return (
    <form onSubmit={submit} className="flex items-center gap-2">
      <Button type="submit" variant="secondary" className="px-2 py-1 text-xs" disabled={pending || disabled}>
        {disabled ? "Refreshing…" : "Refresh now"}
      </Button>
      {error && (
        <span role="alert" className="text-xs text-red-700 dark:text-red-300">
          {error}
        </span>
      )}
    </form>
  );
}

const RESOLUTIONS = [
  ["accept_platform", "Accept the platform's verdict"],
  ["record_correction", "Record a correction (the platform's units)"],
  ["resend", "Resend with the same key"],
  ["mark_explained", "Mark explained"],
] as const;

/** The differences table inside one form: tick rows, choose one action, write one note. */
export function BulkResolveForm({ enabled, children }: { enabled: boolean; children: ReactNode }) {
  const { submit, pending, error, fieldErrors, result } = useFormAction((input) =>
    resolveDifferencesAction({
      ids: Object.keys(input)
        .filter((k) => k.startsWith("d-"))
        .map((k) => k.slice(2)),
      resolution: String(input.resolution ?? "") as never,
      note: String(input.note ?? ""),
    }),
  );
  if (!enabled) return <>{children}</>;
  return (
    <form onSubmit={submit} aria-label="Resolve differences">
      {children}
      <div className="mt-3 flex flex-wrap items-center gap-2 rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
        <label htmlFor="resolution" className="text-sm">
          For the selected
        </label>
        <select id="resolution" name="resolution" defaultValue="" className={`${small} w-64`} aria-invalid={!!fieldErrors?.resolution}>
          <option value="" disabled>
            Choose what to do…
          </option>
          {RESOLUTIONS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
        <input
          name="note"
          aria-label="Note for the selected differences"
          placeholder="One note for all (required)"
          className={`${small} w-72`}
          aria-invalid={!!fieldErrors?.note}
        />
        <Button type="submit" className="px-2 py-1 text-xs" disabled={pending}>
          {pending ? "Applying…" : "Apply to selected"}
        </Button>
        {error && (
          <span role="alert" className="text-xs text-red-700 dark:text-red-300">
            {fieldErrors?.ids?.[0] ?? fieldErrors?.resolution?.[0] ?? fieldErrors?.note?.[0] ?? error}
          </span>
        )}
        {result?.ok && (
          <span role="status" className="text-xs text-emerald-800 dark:text-emerald-300">
            {result.data.resolved} resolved; they are listed under “resolved” with your note.
          </span>
        )}
      </div>
    </form>
  );
}

/** Signing a cycle off; an admin may close with a known gap (the gap is stated, a note required). */
export function CloseCycleForm({
  cycleId,
  connectionId,
  refreshing,
  admin,
  ended,
  open,
}: {
  cycleId: string;
  connectionId: string;
  refreshing: boolean;
  admin: boolean;
  ended: boolean;
  open: number;
}) {
  const { submit, pending, error, fieldErrors, result } = useFormAction((input) =>
    closeCycleAction({ cycleId, knownGap: input.knownGap === "on", note: String(input.note ?? "") }),
  );
  return (
    <div className="mt-2 flex flex-wrap items-center gap-2">
      <form onSubmit={submit} className="flex flex-wrap items-center gap-2">
        <input name="note" aria-label="Closing note" placeholder="What was checked" className={`${small} w-64`} aria-invalid={!!fieldErrors?.note} />
        {admin && open > 0 && (
          <label className="flex items-center gap-1 text-xs">
            <input type="checkbox" name="knownGap" className="size-4" /> close with a known gap
          </label>
        )}
        <Button type="submit" variant="secondary" className="px-2 py-1 text-xs" disabled={pending}>
          Close cycle
        </Button>
        {!ended && <span className="text-xs text-zinc-600 dark:text-zinc-400">(the cycle has not ended yet)</span>}
        {error && (
          <span role="alert" className="text-xs text-red-700 dark:text-red-300">
            {error}
          </span>
        )}
        {result?.ok && (
          <span role="status" className="text-xs text-emerald-800 dark:text-emerald-300">
            Closed{result.data.gap.length ? ` with a known gap of ${result.data.gap.map((g) => `${g.amount} ${g.currency}`).join(", ")}` : ""}.
          </span>
        )}
      </form>
      {/* Refused on figures read before the cycle ended: read them again from here (a form of its own, not nested). */}
      {fieldErrors?.refresh && <RefreshButton connectionId={connectionId} disabled={refreshing} />}
    </div>
  );
}
