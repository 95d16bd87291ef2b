"use client";

import { SectionError } from "@/components/section-states";

export default function AlertsError(props: { error: unknown; retry: () => void }) {
  return <SectionError what="Alerts" {...props} />;
}
