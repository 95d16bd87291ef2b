import { Fragment } from "react";
import { LocalTime } from "./local-time";

/** An ISO 8601 instant with a zone, as the ledger's stored texts hold them (details, errors, reasons). */
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})/g;

/** Stored text with each raw timestamp in it shown like every other time (the viewer's zone, named). */
export function TextWithTimes({ text }: { text: string | null | undefined }) {
  if (!text) return null;
  const parts: React.ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(ISO)) {
    const at = new Date(m[0]);
    if (Number.isNaN(at.getTime())) continue;
    parts.push(
      <Fragment key={`t${last}`}>{text.slice(last, m.index)}</Fragment>,
      <LocalTime key={`d${m.index}`} iso={at.toISOString()} withSeconds={/:\d{2}:\d{2}/.test(m[0])} />,
    );
    last = m.index + m[0].length;
  }
  parts.push(<Fragment key="end">{text.slice(last)}</Fragment>);
  return <>{parts}</>;
}
