"use client";

import Link, { useLinkStatus } from "next/link";
import type { ComponentProps, ReactNode } from "react";
import { Spinner } from "./spinner";

/**
 * The inside of a <Link> that shows its own navigation: while the next page loads (Next's
 * useLinkStatus) it is marked busy, dimmed, and a spinner turns beside the label, so a slow
 * click never looks dead. The spinner's room is kept, so nothing moves when it appears.
 */
export function LinkBusy({ children }: { children: ReactNode }) {
  const { pending } = useLinkStatus();
  return (
    <span aria-busy={pending} data-pending={pending ? "" : undefined} className={`inline-flex items-center gap-1.5 ${pending ? "opacity-70" : ""}`}>
      {children}
      <span className="inline-flex w-3 justify-center">{pending && <Spinner className="h-3 w-3" />}</span>
    </span>
  );
}

/** A <Link> whose label shows when its navigation is pending. */
export function PendingLink({ children, ...props }: ComponentProps<typeof Link>) {
  return (
    <Link {...props}>
      <LinkBusy>{children as ReactNode}</LinkBusy>
    </Link>
  );
}
