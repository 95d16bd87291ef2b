"use client";

import { SectionError } from "@/components/section-states";

export default function UsersError(props: { error: unknown; retry: () => void }) {
  return <SectionError what="Users" {...props} />;
}
