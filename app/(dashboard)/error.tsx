"use client";

import { SectionError } from "@/components/section-states";

export default function OverviewError(props: { error: unknown; retry: () => void }) {
  return <SectionError what="The Overview" {...props} />;
}
