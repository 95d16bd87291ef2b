import { SectionLoading } from "@/components/section-loading";

export default function ConnectionLoading() {
  return <SectionLoading what="This connection" />;
}
