import { SectionLoading } from "@/components/section-loading";

export default function EventsLoading() {
  return <SectionLoading what="the Events list" />;
}
