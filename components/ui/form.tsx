import type { ButtonHTMLAttributes, ReactNode } from "react";

export const inputClass =
  "block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30 dark:border-zinc-700 dark:bg-zinc-950 aria-[invalid=true]:border-red-500";

export function Field({ label, htmlFor, error, hint, children }: { label: string; htmlFor: string; error?: string[]; hint?: string; children: ReactNode }) {
  return (
    <div>
      <label htmlFor={htmlFor} className="mb-1 block text-sm font-medium">
        {label}
      </label>
      {children}
      {hint && !error?.length && <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">{hint}</p>}
      {error?.map((e) => (
        <p key={e} id={`${htmlFor}-error`} className="mt-1 text-xs text-red-600 dark:text-red-400">
          {e}
        </p>
      ))}
    </div>
  );
}

const variants = {
  primary: "bg-indigo-600 text-white hover:bg-indigo-500 disabled:bg-indigo-400",
  secondary:
    "border border-zinc-300 bg-white text-zinc-800 hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:hover:bg-zinc-800",
  danger: "bg-red-600 text-white hover:bg-red-500 disabled:bg-red-400",
} as const;

export function Button({ variant = "primary", className = "", ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: keyof typeof variants }) {
  return (
    <button
      {...props}
      className={`inline-flex items-center justify-center rounded-md px-3 py-2 text-sm font-medium shadow-sm transition disabled:cursor-not-allowed ${variants[variant]} ${className}`}
    />
  );
}
