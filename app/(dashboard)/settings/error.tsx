"use client";

import { SectionError } from "@/components/section-states";

export default function SettingsError(props: { error: unknown; retry: () => void }) {
  return <SectionError what="Settings" {...props} />;
}
