"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";
import type { ActionResult } from "../action";

/**
 * Runs a server action from a <form>, keeps its field errors, refreshes the page on success.
 * A new submit clears the last result, a second submit while one is pending is dropped, and
 * when the answer comes focus moves to the first invalid field, the form's error, or the result
 * (an element marked `data-form-result`), so it is read out and the keyboard is where the news is.
 */
export function useFormAction<T>(
  run: (input: Record<string, FormDataEntryValue>) => Promise<ActionResult<T>>,
  onSuccess?: (data: T) => void,
  { resetOnSuccess = true } = {},
) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [result, setResult] = useState<ActionResult<T> | null>(null);
  const inFlight = useRef(false);
  const formRef = useRef<HTMLFormElement | null>(null);
  const submit = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (inFlight.current) return;
    inFlight.current = true;
    const form = event.currentTarget;
    formRef.current = form;
    const input = Object.fromEntries(new FormData(form));
    setResult(null);
    startTransition(async () => {
      try {
        const r = await run(input);
        setResult(r);
        if (r.ok) {
          if (resetOnSuccess) form.reset();
          onSuccess?.(r.data);
          router.refresh();
        }
      } finally {
        inFlight.current = false;
      }
    });
  };
  useEffect(() => {
    if (result) focusAnswer(formRef.current, result.ok);
  }, [result]);
  const fieldErrors = result && !result.ok ? result.fieldErrors : undefined;
  const error = result && !result.ok ? result.error : undefined;
  return { submit, pending, result, fieldErrors, error, clear: () => setResult(null) };
}

/** Moves focus to what the answer changed: the first invalid field, else the error, else the result. */
export function focusAnswer(form: HTMLFormElement | null, ok: boolean) {
  if (!form) return;
  const target = ok
    ? form.querySelector<HTMLElement>("[data-form-result]")
    : (form.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form.querySelector<HTMLElement>('[role="alert"]'));
  if (!target) return;
  if (!target.matches("input, select, textarea, button, a[href]") && !target.hasAttribute("tabindex")) target.tabIndex = -1;
  target.focus();
}
