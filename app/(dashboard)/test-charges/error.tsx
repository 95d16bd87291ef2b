"use client";

import { SectionError } from "@/components/section-states";

export default function TestChargesError(props: { error: unknown; retry: () => void }) {
  return <SectionError what="Test charges" {...props} />;
}
