"use client";

import { useState, type ReactNode } from "react";

/** Filters open on wide screens; on a phone behind a "Filters" button, so the data comes first. */
export function FilterPanel({ active, children }: { active: number; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  return (
    <div>
      <button
        type="button"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        className="mb-3 rounded-md border border-zinc-300 px-3 py-1.5 text-sm md:hidden dark:border-zinc-700"
      >
        Filters{active > 0 ? ` (${active} active)` : ""}
      </button>
      <div className={open ? "block" : "hidden md:block"}>{children}</div>
    </div>
  );
}
