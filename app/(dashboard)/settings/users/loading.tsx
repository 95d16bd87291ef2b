import { SectionLoading } from "@/components/section-loading";

export default function UsersLoading() {
  return <SectionLoading what="Users" />;
}
