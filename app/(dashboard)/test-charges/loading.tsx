import { SectionLoading } from "@/components/section-loading";

export default function TestChargesLoading() {
  return <SectionLoading what="Test charges" />;
}
