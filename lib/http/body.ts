/**
 * Reading a request body with a ceiling, before anything is buffered: a declared
 * `Content-Length` over the limit is refused unread, and a body sent without one (chunked) is
 * counted while it streams and cut off at the limit. Route handlers that accept a body from the
 * open internet read it only through this (the ingest API after its key is checked, the Wix
 * plugin and webhook routes, whose credential is the body itself).
 */
export const KB = 1024;
const MB = 1024 * KB;

export type BodyRead = { ok: true; text: string } | { ok: false; status: 400 | 413; message: string };

const size = (bytes: number) => (bytes >= MB ? `${+(bytes / MB).toFixed(2)} MB` : `${+(bytes / KB).toFixed(2)} KB`);

const tooLargeMessage = (limit: number, what = "This endpoint") =>
  `The body is larger than ${size(limit)}; ${what} accepts at most ${size(limit)}. Nothing was read or written.`;

export async function readBoundedText(request: Request, limit: number, what?: string): Promise<BodyRead> {
  const declared = request.headers.get("content-length");
  if (declared !== null && (!/^\d+$/.test(declared.trim()) || Number(declared) > limit)) {
    await cancel(request);
    return /^\d+$/.test(declared.trim())
      ? { ok: false, status: 413, message: tooLargeMessage(limit, what) }
      : { ok: false, status: 400, message: "The Content-Length header is not a number." };
  }
  if (!request.body) return { ok: true, text: "" };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let step: ReadableStreamReadResult<Uint8Array>;
    try {
      step = await reader.read();
    } catch {
      return { ok: false, status: 400, message: "The body could not be read (the connection closed before it ended)." };
    }
    if (step.done) break;
    total += step.value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      return { ok: false, status: 413, message: tooLargeMessage(limit, what) };
    }
    chunks.push(step.value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes) };
  } catch {
    return { ok: false, status: 400, message: "The body is not valid UTF-8." };
  }
}

async function cancel(request: Request) {
  await request.body?.cancel().catch(() => {});
}
