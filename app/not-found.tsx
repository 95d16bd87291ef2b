import { NotFoundMessage } from "@/components/not-found-message";

export const metadata = { title: "Not found · Billing control room" };

/** Any address no route matches. */
export default function NotFound() {
  return (
    <main id="main" className="mx-auto max-w-2xl p-4 md:p-8">
      <NotFoundMessage />
    </main>
  );
}
