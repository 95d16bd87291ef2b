"use client";

import Link from "next/link";
import { useEffect, useRef, useTransition } from "react";
import { Button } from "@/components/ui/form";
import { Spinner } from "./spinner";

/**
 * A dashboard section's error boundary (its error.tsx): says which page failed, gives the
 * reference that is in the server log (the error's digest: instrumentation.ts logs it as `ref`),
 * and offers a retry that fetches the section again. Focus moves to the message, so a keyboard
 * or screen-reader user is told at once.
 */
export function SectionError({ what, error, retry }: { what: string; error: unknown; retry: () => void }) {
  const [pending, startTransition] = useTransition();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => box.current?.focus(), []);
  const digest = error instanceof Error && "digest" in error && typeof error.digest === "string" ? error.digest : null;
  return (
    <div
      ref={box}
      role="alert"
      tabIndex={-1}
      aria-busy={pending}
      data-testid="section-error"
      className={`rounded-xl border border-red-200 bg-red-50 p-6 text-sm outline-none dark:border-red-900 dark:bg-red-950 ${pending ? "opacity-70" : ""}`}
    >
      <h1 className="text-lg font-semibold">{what} could not load</h1>
      <p className="mt-1 text-zinc-700 dark:text-zinc-300">
        Something failed on our side while reading it; nothing you entered was lost.
        {digest && (
          <>
            {" "}
            Reference{" "}
            <code className="font-mono font-medium" data-testid="error-ref">
              {digest}
            </code>
            : it is in the server log with the details.
          </>
        )}
      </p>
      <div className="mt-3 flex flex-wrap items-center gap-3">
        <Button variant="secondary" onClick={() => startTransition(() => retry())} disabled={pending}>
          {pending ? (
            <>
              <Spinner className="mr-2 h-3.5 w-3.5" />
              Trying again…
            </>
          ) : (
            "Try again"
          )}
        </Button>
        <Link href="/" className="text-indigo-700 underline dark:text-indigo-300">
          Go to the Overview
        </Link>
      </div>
    </div>
  );
}
