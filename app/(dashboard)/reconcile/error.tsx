"use client";

import { SectionError } from "@/components/section-states";

export default function ReconcileError(props: { error: unknown; retry: () => void }) {
  return <SectionError what="Reconcile" {...props} />;
}
