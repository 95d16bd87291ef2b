"use client";

import { SectionError } from "@/components/section-states";

export default function SendEventError(props: { error: unknown; retry: () => void }) {
  return <SectionError what="The send form" {...props} />;
}
