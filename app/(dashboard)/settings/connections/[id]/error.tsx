"use client";

import { SectionError } from "@/components/section-states";

export default function ConnectionError(props: { error: unknown; retry: () => void }) {
  return <SectionError what="This connection" {...props} />;
}
