/**
 * Server action arguments as this app's pages send them, in React's reply format (what
 * `encodeReply` writes and Next decodes before the action runs). Next answers an argument list
 * it cannot decode with a 500, so proxy.ts checks it first against what our forms can produce:
 * JSON whose strings are plain text or one of React's scalar encodings. React's references to
 * other parts of the body ("$@1", "$Q2", "$h3", "$1:a:b", temporary references …) are refused:
 * no page here sends them, and they are where a hostile body hurts the decoder. A FormData
 * argument ("$K1", its fields in the multipart body) is allowed where the body is multipart.
 */
const SCALARS = new Set(["$undefined", "$NaN", "$Infinity", "$-Infinity", "$-0"]);
const BIGINT = /^\$n-?\d{1,300}$/;
const FORM_DATA = /^\$K[0-9a-f]{1,6}$/;
const MAX_DEPTH = 32;
/** React refuses (with an error, so a 500) arrays within arrays holding more than this many slots. */
const MAX_ARRAY_SLOTS = 1_000_000;

function stringProblem(s: string, formData: boolean): string | null {
  if (s[0] !== "$" || s[1] === "$" || s[1] === "D" || SCALARS.has(s) || BIGINT.test(s)) return null;
  if (formData && FORM_DATA.test(s)) return null;
  return `the value "${s.length > 24 ? `${s.slice(0, 24)}…` : s}" is a reference this app never sends`;
}

/** Why `text` is not an argument list (or list of bound arguments) a page of this app sends; null if it is one. */
export function replyProblem(text: string, formData = false): string | null {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return "the arguments are not JSON";
  }
  if (!Array.isArray(root)) return "the arguments are not a list";
  type Slots = { count: number };
  const stack: { v: unknown; depth: number; slots: Slots | null }[] = [{ v: root, depth: 0, slots: null }];
  while (stack.length) {
    const { v, depth, slots } = stack.pop()!;
    if (typeof v === "string") {
      const p = stringProblem(v, formData);
      if (p) return p;
      if (slots && (slots.count += v.length) > MAX_ARRAY_SLOTS) return "the arguments hold too large a list";
    } else if (v && typeof v === "object") {
      if (depth >= MAX_DEPTH) return `the arguments nest more than ${MAX_DEPTH} levels deep`;
      if (Array.isArray(v)) {
        // Arrays nested in arrays share one count, as React counts them; an object starts afresh.
        const shared = slots ?? { count: 0 };
        if ((shared.count += v.length + 1) > MAX_ARRAY_SLOTS) return "the arguments hold too large a list";
        for (const child of v) stack.push({ v: child, depth: depth + 1, slots: shared });
      } else {
        for (const child of Object.values(v)) stack.push({ v: child, depth: depth + 1, slots: null });
      }
    }
  }
  return null;
}

/**
 * A form posted without JavaScript names its action by a descriptor, `{"id":"…","bound":…}`,
 * whose bound arguments (if any) are in another field. Returns the bound field's number, or why
 * the descriptor is not one React writes.
 */
export function descriptorProblem(text: string): { bound: number | null } | { problem: string } {
  let d: unknown;
  try {
    d = JSON.parse(text);
  } catch {
    return { problem: "the action descriptor is not JSON" };
  }
  if (!text.startsWith('{"id":"') || !d || typeof d !== "object" || Array.isArray(d))
    return { problem: "the action descriptor is not an object naming an action" };
  const { id, bound, ...rest } = d as Record<string, unknown>;
  if (Object.keys(rest).length || typeof id !== "string" || !/^[0-9a-f]{42}$/.test(id)) return { problem: "the action descriptor does not name an action id" };
  if (bound === null) return { bound: null };
  if (typeof bound === "string" && /^\$@[0-9a-f]{1,4}$/.test(bound)) return { bound: parseInt(bound.slice(2), 16) };
  return { problem: "the action descriptor's bound arguments are not a reference to another field" };
}
