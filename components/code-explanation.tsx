import { explainCode } from "@/lib/domain/platform-codes";

/** A platform code explained beside it: what it means and what to do, with the platform's page. */
export function CodeExplanation({ code, platform, testId }: { code: string | null | undefined; platform: "shopify" | "wix"; testId?: string }) {
  const e = explainCode(code, platform);
  if (!e) return null;
  return (
    <span
      className="mt-1 block rounded-md border border-zinc-200 px-2 py-1.5 text-xs text-zinc-700 dark:border-zinc-800 dark:text-zinc-300"
      data-testid={testId}
    >
      <span className="font-mono font-medium">{e.code}</span>: {e.meaning} <span className="font-medium">What to do:</span> {e.todo}{" "}
      <a className="text-indigo-700 underline dark:text-indigo-300" href={e.link} target="_blank" rel="noreferrer">
        {platform === "shopify" ? "Shopify" : "Wix"}&apos;s docs<span className="sr-only"> (opens in a new tab)</span>
      </a>
    </span>
  );
}
