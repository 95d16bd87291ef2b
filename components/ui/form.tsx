import { Children, cloneElement, isValidElement, type ButtonHTMLAttributes, type ReactElement, type ReactNode } from "react";

export const inputClass =
  "block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-zinc-600 dark:bg-zinc-950 aria-[invalid=true]:border-red-500 dark:aria-[invalid=true]:border-red-400";

type Described = { id?: string; "aria-describedby"?: string; "aria-invalid"?: boolean | "true" | "false" };

/**
 * A label, its control, a hint and the field's errors. The control (the child whose id is
 * `htmlFor`) is marked invalid and described by the hint and the errors, so a screen reader
 * reads the error with the field and the form can move focus to the first invalid one.
 */
export function Field({ label, htmlFor, error, hint, children }: { label: string; htmlFor: string; error?: string[]; hint?: ReactNode; children: ReactNode }) {
  const invalid = !!error?.length;
  const describedBy = [hint ? `${htmlFor}-hint` : null, invalid ? `${htmlFor}-error` : null].filter(Boolean).join(" ") || undefined;
  const control = Children.map(children, (child) =>
    isValidElement<Described>(child) && child.props.id === htmlFor
      ? cloneElement(child as ReactElement<Described>, {
          "aria-describedby": [child.props["aria-describedby"], describedBy].filter(Boolean).join(" ") || undefined,
          "aria-invalid": invalid || undefined,
        })
      : child,
  );
  return (
    <div>
      <label htmlFor={htmlFor} className="mb-1 block text-sm font-medium">
        {label}
      </label>
      {control}
      {hint && (
        <p id={`${htmlFor}-hint`} className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
          {hint}
        </p>
      )}
      {invalid && (
        <div id={`${htmlFor}-error`} className="mt-1 text-xs text-red-700 dark:text-red-400">
          {error!.map((e) => (
            <p key={e}>{e}</p>
          ))}
        </div>
      )}
    </div>
  );
}

/** The form-level error: announced, and focusable so the form can move focus to it. */
export function FormError({ children, className = "mt-2", ...rest }: { children: ReactNode; className?: string; "data-testid"?: string }) {
  return (
    <p role="alert" tabIndex={-1} className={`${className} text-sm text-red-700 outline-none dark:text-red-400`} {...rest}>
      {children}
    </p>
  );
}

const variants = {
  primary: "bg-indigo-600 text-white hover:bg-indigo-500 disabled:bg-indigo-400 dark:disabled:bg-indigo-800 dark:disabled:text-zinc-300",
  secondary: "border border-zinc-300 bg-white text-zinc-800 hover:bg-zinc-50 dark:border-zinc-600 dark:bg-zinc-900 dark:text-zinc-100 dark:hover:bg-zinc-800",
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
