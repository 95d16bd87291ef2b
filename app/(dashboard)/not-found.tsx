import { NotFoundMessage } from "@/components/not-found-message";

export const metadata = { title: "Not found · Billing control room" };

/** notFound() in a dashboard page (an unknown event, instance or connection): inside the dashboard's frame. */
export default function DashboardNotFound() {
  return <NotFoundMessage />;
}
