import { SectionLoading } from "@/components/section-loading";

export default function ShopsLoading() {
  return <SectionLoading what="Shops & instances" />;
}
