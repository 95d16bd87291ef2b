import { SectionLoading } from "@/components/section-loading";

export default function OverviewLoading() {
  return <SectionLoading what="the Overview" />;
}
