"use client";

import { Button } from "@/components/ui/form";

export default function TestChargesError({ reset }: { error: Error; reset: () => void }) {
  return (
    <div role="alert" className="rounded-xl border border-red-200 bg-red-50 p-6 text-sm dark:border-red-900 dark:bg-red-950">
      <p className="font-medium">The test charges page could not load.</p>
      <p className="mt-1 text-zinc-600 dark:text-zinc-400">Something went wrong on our side; it has been logged.</p>
      <Button className="mt-3" variant="secondary" onClick={reset}>Try again</Button>
    </div>
  );
}
