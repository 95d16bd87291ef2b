"use client";

import { SectionError } from "@/components/section-states";

export default function ShopsError(props: { error: unknown; retry: () => void }) {
  return <SectionError what="Shops & instances" {...props} />;
}
