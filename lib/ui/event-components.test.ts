import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { CodeExplanation } from "@/components/code-explanation";
import { StoryBadge } from "@/components/event-badges";
import { TextWithTimes } from "@/components/text-with-times";
import { deliveryStory, type DeliveryFacts } from "@/lib/domain/delivery-story";

const text = (html: string) => html.replace(/<[^>]+>/g, "").replace(/&#x27;|&apos;/g, "'");

describe("event page components", () => {
  it("stored sentences show their timestamps formatted, with the zone, never as raw ISO", () => {
    const html = renderToStaticMarkup(
      h(TextWithTimes, { text: "The billing cycle containing 2026-11-20T10:00:00Z closed at 2026-12-01T00:00:00.000Z; retry later." }),
    );
    expect(text(html)).toBe("The billing cycle containing 20 Nov 2026, 10:00:00 UTC closed at 01 Dec 2026, 00:00:00 UTC; retry later.");
    expect(html).toContain('dateTime="2026-11-20T10:00:00.000Z"');
    expect(renderToStaticMarkup(h(TextWithTimes, { text: "no time here" }))).toBe("no time here");
  });

  it("the delivery badge shows the story's words, never the bare state, for an imported or pulled event", () => {
    const imported: DeliveryFacts = {
      kind: "shopify_usage",
      state: "accepted",
      attemptCount: 1,
      attemptsRecorded: 0,
      platformVerdict: "billable",
      platformCode: null,
      verdictSource: "imported_file",
      nextAttemptPlanned: false,
      source: "import",
    };
    expect(text(renderToStaticMarkup(h(StoryBadge, { story: deliveryStory(imported) })))).toBe("imported");
    expect(text(renderToStaticMarkup(h(StoryBadge, { story: deliveryStory({ ...imported, kind: "wix_usage", platformVerdict: null, source: "api" }) })))).toBe(
      "awaiting invoice",
    );
  });

  it("a code is explained with what to do and the platform's page", () => {
    const html = renderToStaticMarkup(h(CodeExplanation, { code: "PERIOD_CLOSED", platform: "shopify" }));
    expect(text(html)).toMatch(/^PERIOD_CLOSED: The billing period of the timestamp is closed.* What to do: It cannot be billed any more/);
    expect(html).toContain('href="https://shopify.dev/');
    expect(renderToStaticMarkup(h(CodeExplanation, { code: null, platform: "wix" }))).toBe("");
  });
});
