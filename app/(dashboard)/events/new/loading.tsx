import { SectionLoading } from "@/components/section-loading";

export default function SendEventLoading() {
  return <SectionLoading what="the send form" />;
}
