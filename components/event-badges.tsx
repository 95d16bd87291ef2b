import { Badge } from "./ui/card";

type VerdictLike = { verdict: string | null; code: string | null };

export function VerdictBadge({ verdict, code }: VerdictLike) {
  if (!verdict) return <Badge tone="zinc">pending</Badge>;
  if (verdict === "billable") return <Badge tone="green">billable</Badge>;
  if (verdict === "non_billable") return <Badge tone="amber">non-billable</Badge>;
  return <Badge tone="red">{code ?? "failed"}</Badge>;
}

const stateTones: Record<string, "green" | "red" | "amber" | "zinc" | "indigo"> = {
  accepted: "green",
  failed: "red",
  held: "amber",
  retrying: "amber",
  queued: "indigo",
  sending: "indigo",
  received: "zinc",
  outcome_unknown: "amber",
  voided: "zinc",
};

export function StateBadge({ state }: { state: string }) {
  return <Badge tone={stateTones[state] ?? "zinc"}>{state === "outcome_unknown" ? "outcome unknown" : state}</Badge>;
}

/** The delivery badge as deliveryStory words it (state, attempts and verdict together). */
export function StoryBadge({ story }: { story: { label: string; tone: "green" | "red" | "amber" | "zinc" | "indigo" } }) {
  return <Badge tone={story.tone}>{story.label}</Badge>;
}
