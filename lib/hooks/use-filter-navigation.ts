"use client";

import { useRouter } from "next/navigation";
import { useTransition } from "react";

/**
 * A GET filter form applied by client navigation: its non-empty fields become the query of
 * `path`, pushed inside a transition so `pending` stays true until the next page has rendered
 * (the form shows it with aria-busy and dimming).
 */
export function useFilterNavigation(path: string) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const submit = (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const query = new URLSearchParams();
    for (const [k, v] of new FormData(e.currentTarget)) if (typeof v === "string" && v.trim()) query.set(k, v.trim());
    startTransition(() => router.push(query.size ? `${path}?${query}` : path));
  };
  return { submit, pending };
}
