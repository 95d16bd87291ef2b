import { descriptorProblem, replyProblem } from "./action-reply";
import { multipartBoundary, parseStrictMultipart, type FormField } from "./strict-multipart";

/**
 * What proxy.ts decides about a request with a body before Next sees it. Next treats a POST
 * with a `Next-Action` header, or any multipart POST, as a server action and decodes its body
 * itself; a body it cannot decode, one over its `bodySizeLimit`, or one from another origin is
 * answered with a 500. So such requests are checked here, and refused with a 4xx and a short
 * reason: first what the headers say (origin, action id, content type, declared length), then
 * the body, counted as it streams and, within the limit, parsed as our pages write it. A body
 * without a Content-Length (chunked) is only counted: 413 over the limit, else 411.
 *
 * Next buffers a copy of every body the proxy may read (experimental.proxyClientMaxBodySize in
 * next.config.ts, set just above the limit), and cuts that copy off, silently, past its size: so
 * a body over the limit is always seen here as over it, and refused.
 */
const MB = 1024 * 1024;
/** Server actions take form fields, and the Dev Dashboard log import up to 20 MB of text (lib/actions/reconcile.schema.ts). */
export const SERVER_ACTION_BODY_LIMIT_MB = 21;
const ACTION_LIMIT = SERVER_ACTION_BODY_LIMIT_MB * MB;
/** Multipart bodies carry only form fields (no form here posts a file). */
const FORM_BODY_LIMIT_MB = 1;
const FORM_LIMIT = FORM_BODY_LIMIT_MB * MB;
/** How much of a body Next copies for the proxy: more than any limit, so an oversized body is never cut to look whole. */
export const PROXY_BODY_COPY_BYTES = ACTION_LIMIT + MB;

export type Refusal = { status: 400 | 403 | 411 | 413 | 415; message: string };

const refuse = (status: Refusal["status"], message: string): Refusal => ({ status, message });
const malformed = (reason: string) => refuse(400, `Malformed server action request: ${reason}. Nothing was run.`);
const ACTION_ID = /^[0-9a-f]{42}$/;
const TEXT_PLAIN = /^text\/plain(?:; ?charset="?utf-8"?)?$/i;

/** Whether the Origin names the host the browser addressed (X-Forwarded-Host behind a proxy, else Host); "null" and garbage do not. */
export function sameOrigin(headers: Headers): boolean {
  const origin = headers.get("origin");
  const host = headers.get("x-forwarded-host")?.split(",")[0]?.trim() || headers.get("host");
  try {
    return !!origin && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** The paths proxy.ts treats as pages: its first matcher, as a test. */
export const isPagePath = (pathname: string) => /^\/(?!api\/|_next\/static|_next\/image|favicon\.ico|.*\.(?:png|svg|ico|json|yaml)$)/.test(pathname);

/** The files in public/, each also in proxy.ts's matcher (a test keeps the three in step). */
export const PUBLIC_FILES = ["/openapi.yaml"];

export type BodyRequest = { method: string; headers: Headers; body: ReadableStream<Uint8Array> | null; page: boolean };

export async function checkBodyRequest({ method, headers, body, page }: BodyRequest): Promise<Refusal | null> {
  const actionId = headers.get("next-action");
  const contentType = headers.get("content-type") ?? "";
  // Next's own tests (app-render/action-handler): a Next-Action POST, or a POST whose type starts so.
  const multipart = contentType.startsWith("multipart/form-data");
  const fetchAction = method === "POST" && actionId !== null;
  const form = method === "POST" && multipart && !fetchAction;
  const refusal = refuseByHeaders({ headers, page, fetchAction, form, actionId, contentType, multipart });
  if (refusal) {
    if (body) await drain(body.getReader());
    return refusal;
  }
  const limit = multipart ? FORM_LIMIT : ACTION_LIMIT;
  if ((fetchAction || form) && headers.get("content-length") === null) {
    // Browsers send every action and form with its length; a body streamed without one is
    // counted and dropped, never kept (that is what keeps a 200 MB one from costing memory).
    const read = await readBody(body, limit, "none");
    if (read.kind === "too-large") return tooLarge(multipart);
    return refuse(411, "A server action or form is sent with a Content-Length, as browsers send it. Nothing was run.");
  }
  const read = await readBody(body, limit, fetchAction && !multipart ? "text" : multipart ? "bytes" : "none");
  if (read.kind === "too-large") return tooLarge(multipart, fetchAction ? undefined : "a request sends");
  if (read.kind === "broken") return malformed(read.reason);
  if (!fetchAction && !form) return null; // a page read with POST: Next renders it and reads no body
  if (read.kind === "text") return withReason(replyProblem(read.text));
  const boundary = multipartBoundary(contentType)!;
  const parsed = parseStrictMultipart(read.kind === "bytes" ? read.bytes : new Uint8Array(), boundary);
  if (!parsed.ok) return malformed(`the form body is not multipart/form-data as a browser writes it: ${parsed.reason}`);
  return withReason(fetchAction ? replyFieldsProblem(parsed.fields) : formFieldsProblem(parsed.fields));
}

type HeaderFacts = { headers: Headers; page: boolean; fetchAction: boolean; form: boolean; actionId: string | null; contentType: string; multipart: boolean };

function refuseByHeaders({ headers, page, fetchAction, form, actionId, contentType, multipart }: HeaderFacts): Refusal | null {
  if (!fetchAction && !form) return declaredTooLarge(headers, ACTION_LIMIT) ? tooLarge(false, "a request sends") : null;
  if (!page) return refuse(400, "Server actions and forms are posted to pages, not to API routes or files. Nothing was run.");
  if (!headers.get("origin")) return refuse(403, "Server action refused: the request has no Origin header.");
  if (!sameOrigin(headers)) return refuse(403, "Cross-origin server action refused.");
  if (fetchAction && !ACTION_ID.test(actionId!)) return malformed("the Next-Action header is not a server action id (42 hex digits)");
  if (fetchAction && !TEXT_PLAIN.test(contentType) && !multipart)
    return refuse(415, "A server action is sent as text/plain or multipart/form-data. Nothing was run.");
  if (multipart && multipartBoundary(contentType) === null) return malformed("the multipart Content-Type has no usable boundary");
  const encoding = headers.get("content-encoding");
  if (encoding && encoding.toLowerCase() !== "identity") return refuse(415, "A server action's body is sent without Content-Encoding. Nothing was run.");
  const declared = headers.get("content-length");
  if (declared !== null && !/^\d+$/.test(declared)) return malformed("the Content-Length header is not a number");
  return declaredTooLarge(headers, multipart ? FORM_LIMIT : ACTION_LIMIT) ? tooLarge(multipart) : null;
}

function declaredTooLarge(headers: Headers, limit: number): boolean {
  const length = Number(headers.get("content-length"));
  return Number.isFinite(length) && length > limit;
}

const tooLarge = (multipart: boolean, what = "a server action sends") =>
  refuse(
    413,
    multipart
      ? `Request too large: a form sends at most ${FORM_BODY_LIMIT_MB} MB. Nothing was run.`
      : `Request too large: ${what} at most ${SERVER_ACTION_BODY_LIMIT_MB} MB. Nothing was run.`,
  );

const withReason = (reason: string | null) => (reason ? malformed(reason) : null);

/** A fetch action's multipart body: its argument list in field "0", a FormData argument's entries as "_<n>_<name>". */
function replyFieldsProblem(fields: FormField[]): string | null {
  const roots = fields.filter((f) => f.name === "0");
  if (roots.length !== 1) return "the form body does not hold exactly one argument list (field 0)";
  const stray = fields.find((f) => f.name !== "0" && !/^_[0-9a-f]{1,6}_/.test(f.name));
  if (stray) return `the form body has a field this app never sends ("${stray.name.slice(0, 40)}")`;
  return replyProblem(roots[0]!.value, true);
}

/**
 * A form posted without JavaScript: the action is named by `$ACTION_ID_<id>`, or by
 * `$ACTION_REF_<n>` with its descriptor in `$ACTION_<n>:0` and bound arguments in the field it
 * points to; `$ACTION_KEY` marks a form with state. Every other `$ACTION_` field is refused.
 */
function formFieldsProblem(fields: FormField[]): string | null {
  const special = fields.filter((f) => f.name.startsWith("$ACTION_"));
  const byName = new Map<string, string>();
  for (const f of special) {
    if (byName.has(f.name)) return `the form repeats the field "${f.name.slice(0, 60)}"`;
    byName.set(f.name, f.value);
  }
  const allowed = new Set<string>();
  let refs = 0;
  for (const name of byName.keys()) {
    if (name === "$ACTION_KEY" || (name.startsWith("$ACTION_ID_") && ACTION_ID.test(name.slice(11)))) {
      allowed.add(name);
      continue;
    }
    const ref = /^\$ACTION_REF_(\d{1,4})$/.exec(name);
    if (!ref) continue;
    if (++refs > 2) return "the form names more than two actions";
    const descriptorField = `$ACTION_${ref[1]}:0`;
    const descriptor = byName.get(descriptorField);
    if (descriptor === undefined) return `the form has no action descriptor (${descriptorField})`;
    const d = descriptorProblem(descriptor);
    if ("problem" in d) return d.problem;
    allowed.add(name).add(descriptorField);
    if (d.bound !== null) {
      const boundField = `$ACTION_${ref[1]}:${d.bound}`;
      const bound = byName.get(boundField);
      if (bound === undefined || d.bound === 0) return "the action descriptor points to bound arguments the form does not hold";
      const p = replyProblem(bound);
      if (p) return `bound arguments: ${p}`;
      allowed.add(boundField);
    }
  }
  const stray = [...byName.keys()].find((name) => !allowed.has(name));
  return stray ? `the form has a field this app never sends ("${stray.slice(0, 60)}")` : null;
}

type Read =
  { kind: "none" } | { kind: "text"; text: string } | { kind: "bytes"; bytes: Uint8Array } | { kind: "too-large" } | { kind: "broken"; reason: string };

/** Reads the body to its end, counting; keeps it (as UTF-8 text or bytes) only within the limit. */
async function readBody(body: ReadableStream<Uint8Array> | null, limit: number, keep: "text" | "bytes" | "none"): Promise<Read> {
  if (!body) return keep === "text" ? { kind: "text", text: "" } : keep === "bytes" ? { kind: "bytes", bytes: new Uint8Array() } : { kind: "none" };
  const reader = body.getReader();
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let texts: string[] | null = [];
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const step = await reader.read();
      if (step.done) break;
      total += step.value.byteLength;
      if (total > limit) {
        await drain(reader);
        return { kind: "too-large" };
      }
      if (keep === "bytes") chunks.push(step.value);
      else if (keep === "text" && texts !== null) texts = appendText(texts, decoder, step.value);
    }
  } catch {
    await reader.cancel().catch(() => {});
    return { kind: "broken", reason: "the body ended before it was complete" };
  }
  if (keep === "bytes") return { kind: "bytes", bytes: Buffer.concat(chunks) };
  if (keep === "none") return { kind: "none" };
  const last = texts && appendText(texts, decoder);
  return last ? { kind: "text", text: last.join("") } : { kind: "broken", reason: "the arguments are not UTF-8 text" };
}

/**
 * Reads the rest of the proxy's copy and drops it. Cancelling instead would leave Next pushing
 * the copy (up to proxyClientMaxBodySize) into a stream nobody reads, held until the request
 * ends; Next waits for the whole body before it answers either way.
 */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  try {
    while (!(await reader.read()).done);
  } catch {
    // the connection closed: nothing left to hold
  }
}

/** Decodes the next chunk onto `texts`; null once the bytes are not UTF-8 (the rest is still counted). */
function appendText(texts: string[], decoder: TextDecoder, chunk?: Uint8Array): string[] | null {
  try {
    texts.push(chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode());
    return texts;
  } catch {
    return null;
  }
}
