"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { ActionResult } from "../action";

/** Runs a server action from a <form>, keeps its field errors, refreshes the page on success. */
export function useFormAction<T>(
  run: (input: Record<string, FormDataEntryValue>) => Promise<ActionResult<T>>,
  onSuccess?: (data: T) => void,
  { resetOnSuccess = true } = {},
) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [result, setResult] = useState<ActionResult<T> | null>(null);
  const submit = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const input = Object.fromEntries(new FormData(form));
    startTransition(async () => {
      const r = await run(input);
      setResult(r);
      if (r.ok) {
        if (resetOnSuccess) form.reset();
        onSuccess?.(r.data);
        router.refresh();
      }
    });
  };
  const fieldErrors = result && !result.ok ? result.fieldErrors : undefined;
  const error = result && !result.ok ? result.error : undefined;
  return { submit, pending, result, fieldErrors, error };
}
