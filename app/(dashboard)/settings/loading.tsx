import { SectionLoading } from "@/components/section-loading";

export default function SettingsLoading() {
  return <SectionLoading what="Settings" />;
}
