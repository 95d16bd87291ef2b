import { SectionLoading } from "@/components/section-loading";

export default function AuditLoading() {
  return <SectionLoading what="the audit log" />;
}
