import { SectionLoading } from "@/components/section-loading";

export default function EventLoading() {
  return <SectionLoading what="This event" />;
}
