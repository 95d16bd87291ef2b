import { z } from "zod";

/**
 * What Postgres cannot store, found before anything is written: a NUL character (text and jsonb
 * refuse U+0000) or an unpaired UTF-16 surrogate (not Unicode text; JSON may carry one as an
 * escape such as "\ud800"). Checked over a whole request value, keys included, each problem named
 * by its path; nesting deeper than any documented body is refused too (the walk is iterative, so
 * no depth can exhaust the stack).
 */
export type TextProblems = Record<string, string[]>;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_DEPTH = 16;

function textProblem(s: string): string | null {
  if (s.includes("\u0000")) return "must not contain a NUL character (U+0000)";
  if (LONE_SURROGATE.test(s)) return "must be valid Unicode text (it holds an unpaired UTF-16 surrogate)";
  return null;
}

export function findTextProblems(value: unknown, prefix: string[] = [], maxDepth = MAX_DEPTH): TextProblems | null {
  let out: TextProblems | null = null;
  const add = (path: string[], message: string) => {
    out ??= {};
    const key = path.join(".") || "_";
    if (!out[key]?.includes(message)) (out[key] ??= []).push(message);
  };
  const stack: { v: unknown; path: string[] }[] = [{ v: value, path: prefix }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (typeof v === "string") {
      const p = textProblem(v);
      if (p) add(path, p);
    } else if (v && typeof v === "object") {
      if (path.length - prefix.length >= maxDepth) {
        add(path, `is nested more than ${maxDepth} levels deep`);
        continue;
      }
      for (const [k, child] of Array.isArray(v) ? v.entries() : Object.entries(v)) {
        const childPath = [...path, String(k)];
        if (typeof k === "string") {
          const p = textProblem(k);
          if (p) add(childPath, `key ${p}`);
        }
        stack.push({ v: child, path: childPath });
      }
    }
  }
  return out;
}

/** A zod string that Postgres can store: `z.string()` plus the checks above and a length cap. */
export const storableText = (max: number, tooLong = `must be at most ${max} characters`) =>
  z
    .string()
    .max(max, tooLong)
    .superRefine((s, ctx) => {
      const p = textProblem(s);
      if (p) ctx.addIssue({ code: "custom", message: p });
    });

/** The earliest and latest instants a timestamp may name: no billing predates Unix time, and Postgres has no year 0. */
const EARLIEST_MS = Date.UTC(1970, 0, 1);
const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
export const TIMESTAMP_RANGE_MESSAGE = "must fall between 1970-01-01 and 9999-12-31";
export const inTimestampRange = (ms: number) => ms >= EARLIEST_MS && ms <= LATEST_MS;

/** Guid form Wix uses for instance, app and subscription ids. */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
