import { SectionLoading } from "@/components/section-loading";

export default function AlertsLoading() {
  return <SectionLoading what="Alerts" />;
}
