import { SectionLoading } from "@/components/section-loading";

export default function ReconcileLoading() {
  return <SectionLoading what="Reconcile" />;
}
