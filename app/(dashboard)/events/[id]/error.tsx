"use client";

import { SectionError } from "@/components/section-states";

export default function EventError(props: { error: unknown; retry: () => void }) {
  return <SectionError what="This event" {...props} />;
}
