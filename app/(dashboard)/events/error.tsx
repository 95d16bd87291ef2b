"use client";

import { SectionError } from "@/components/section-states";

export default function EventsError(props: { error: unknown; retry: () => void }) {
  return <SectionError what="The Events list" {...props} />;
}
