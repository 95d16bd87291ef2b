"use client";

import { SectionError } from "@/components/section-states";

export default function AuditError(props: { error: unknown; retry: () => void }) {
  return <SectionError what="The audit log" {...props} />;
}
