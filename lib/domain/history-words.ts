import { verdictSourceWords } from "./delivery-story";

/**
 * One line of an event's history in words. A transition row holds the states, an actor (a
 * person's e-mail, `worker <host>:<pid>`, `ingest`, `wix invoice <id>`, `system`) and the reason
 * the writer gave; this turns them into "Ada Admin sent it anyway: checked the plan" rather than
 * "held → queued · admin@example.com".
 */
export type TransitionFacts = { fromState: string | null; toState: string; actor: string; reason: string | null };
export type People = ReadonlyMap<string, { name: string; email: string }>;
export type HistoryLine = { who: string; person: boolean; what: string };

/** Who did it: a person by name (with their e-mail), or what part of the system. */
function actorWords(actor: string, people: People): { who: string; person: boolean } {
  const p = people.get(actor.toLowerCase());
  if (p) return { who: p.name && p.name !== p.email ? `${p.name} (${p.email})` : p.email, person: true };
  if (actor.includes("@")) return { who: actor, person: true };
  if (actor.startsWith("worker")) return { who: "the delivery worker", person: false };
  if (actor === "ingest") return { who: "the shop lookup", person: false };
  if (actor === "system") return { who: "the dashboard", person: false };
  if (actor.startsWith("wix invoice")) return { who: `Wix (invoice ${actor.slice("wix invoice".length).trim()})`, person: false };
  return { who: actor, person: false };
}

const VERDICT = /^verdict: (.+) \((\w+)\)$/;
const sentence = (text: string) => (text ? text[0]!.toUpperCase() + text.slice(1) : text);

/** What happened, without the who. */
function transitionWords(t: TransitionFacts): string {
  const reason = t.reason?.trim() ?? "";
  const verdict = VERDICT.exec(reason);
  if (verdict) {
    const [, code, source] = verdict;
    const what = code === "billable" ? "billable" : code === "non_billable" ? "not billable" : code;
    return `Platform verdict recorded: ${what}, from ${verdictSourceWords(source!) ?? source}`;
  }
  if (/^verdict marked by hand: /.test(reason)) return `Marked the platform's verdict by hand: ${reason.slice("verdict marked by hand: ".length)}`;
  if (t.fromState === t.toState) return sentence(reason || "Noted");
  const why = reason ? `: ${reason}` : "";
  switch (t.toState) {
    case "sending": {
      const n = /^attempt (\d+)$/.exec(reason);
      return n ? `Sent it (attempt ${n[1]})` : `Started sending${why}`;
    }
    case "accepted":
      return reason.startsWith("accepted") ? `The platform ${reason.replace(/^accepted/, "accepted it")}` : sentence(reason || "The platform accepted it");
    case "retrying": {
      if (/^lease expired/.test(reason)) return "The worker stopped mid-send; it is sent again with the same key";
      const retry = /^retry in (\d+) s: (.+)$/s.exec(reason);
      return retry ? `The attempt did not go through (${retry[2]}); retried in ${retry[1]} s with the same key` : `The attempt did not go through${why}`;
    }
    case "failed":
      return `Delivery failed${why}`;
    case "outcome_unknown":
      return /^(outcome unknown|lease expired)/.test(reason) ? `No answer came: ${reason}` : `No answer came; outcome unknown${why}`;
    case "queued": {
      const note = reason.replace(/^(sent anyway|retried|resent with the same key)(: )?/, "");
      const withNote = note && note !== reason ? `: ${note}` : "";
      if (t.fromState === "held") return `Sent it anyway (queued)${withNote}`;
      if (t.fromState === "received") return `Queued once the shop was known${why}`;
      return /^resent with the same key/.test(reason)
        ? `Resent it with the same key${withNote}`
        : `Retried it with the same key${note === reason ? why : withNote}`;
    }
    case "held":
      return `Held it, as predicted to fail${why}`;
    case "voided":
      return `Voided it${why.replace(/^: voided by /, ": void entry ")}`;
    default:
      return `${t.fromState ?? "new"} → ${t.toState}${why}`;
  }
}

export function historyLine(t: TransitionFacts, people: People): HistoryLine {
  return { ...actorWords(t.actor, people), what: transitionWords(t) };
}

/** The e-mail addresses among a history's actors, to look their names up once. */
export const personActors = (transitions: readonly { actor: string }[]) => [
  ...new Set(transitions.map((t) => t.actor.toLowerCase()).filter((a) => a.includes("@"))),
];
