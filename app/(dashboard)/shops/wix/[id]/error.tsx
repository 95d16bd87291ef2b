"use client";

import { SectionError } from "@/components/section-states";

export default function WixInstanceError(props: { error: unknown; retry: () => void }) {
  return <SectionError what="This Wix instance" {...props} />;
}
