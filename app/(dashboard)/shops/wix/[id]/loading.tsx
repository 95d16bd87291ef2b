import { SectionLoading } from "@/components/section-loading";

export default function WixInstanceLoading() {
  return <SectionLoading what="This Wix instance" />;
}
