/**
 * A multipart/form-data body as a browser writes it, and nothing looser: parsed before Next
 * hands the body to its own parsers (undici's for forms posted without JavaScript, busboy's for
 * server actions), which answer a body they cannot parse with a 500. What this accepts, both of
 * them parse to the same fields (lib/http/strict-multipart.test.ts checks that with generated bodies):
 * - the boundary is a plain token; the body starts with it and ends with the closing delimiter;
 * - every part has one `Content-Disposition: form-data; name="…"` header (a name: not empty, no quote, backslash or control character) and no other, and no
 *   filename (no form in this app posts a file: the log import reads its file in the browser);
 * - names and values are UTF-8, and no value holds the boundary.
 */
export type FormField = { name: string; value: string };
export type MultipartResult = { ok: true; fields: FormField[] } | { ok: false; reason: string };

const BOUNDARY = /^multipart\/form-data; ?boundary=(?:"([0-9A-Za-z'+_.-]{1,70})"|([0-9A-Za-z'+_.-]{1,70}))$/;
const DISPOSITION = /^form-data; name="([^"\\]+)"$/;
/** Busboy refuses a name with a control character; browsers percent-encode CR and LF anyway. */
const plainName = (name: string) => [...name].every((c) => c.charCodeAt(0) >= 0x20 && c !== "\x7f");
const MAX_HEADER_BYTES = 4096;

/** The boundary named by a Content-Type header, or null when it is not one a browser would write. */
export function multipartBoundary(contentType: string): string | null {
  const m = BOUNDARY.exec(contentType.trim());
  return m ? (m[1] ?? m[2] ?? null) : null;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function decode(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

export function parseStrictMultipart(body: Uint8Array, boundary: string): MultipartResult {
  // One character per byte, so offsets in `s` are offsets in `body`.
  const s = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("latin1");
  const dash = `--${boundary}`;
  const delimiter = `\r\n${dash}`;
  if (!s.startsWith(`${dash}\r\n`)) return { ok: false, reason: "the body does not start with its boundary" };
  const fields: FormField[] = [];
  let pos = dash.length + 2;
  for (;;) {
    const headerEnd = s.indexOf("\r\n\r\n", pos);
    if (headerEnd < 0 || headerEnd - pos > MAX_HEADER_BYTES) return { ok: false, reason: `part ${fields.length + 1} has no end to its headers` };
    const lines = s.slice(pos, headerEnd).split("\r\n");
    if (lines.length !== 1) return { ok: false, reason: `part ${fields.length + 1} has headers besides Content-Disposition` };
    const header = /^content-disposition:[ \t]*(.*)$/i.exec(lines[0]!);
    const disposition = header ? DISPOSITION.exec(header[1]!) : null;
    if (!disposition || !plainName(disposition[1]!))
      return { ok: false, reason: `part ${fields.length + 1} is not a form field (Content-Disposition: form-data; name="…", no file)` };
    const name = decode(Buffer.from(disposition[1]!, "latin1"));
    const start = headerEnd + 4;
    const end = s.indexOf(delimiter, start);
    if (end < 0) return { ok: false, reason: `part ${fields.length + 1} never ends (no closing boundary)` };
    // undici finds a part's end by the bare boundary (not CRLF "--" boundary), so a value holding it is not one it can read.
    if (s.slice(start, end).includes(boundary)) return { ok: false, reason: `part ${fields.length + 1} holds its own boundary` };
    const value = decode(body.subarray(start, end));
    if (name === null || value === null) return { ok: false, reason: `part ${fields.length + 1} is not UTF-8 text` };
    fields.push({ name, value });
    const after = end + delimiter.length;
    const next = s.slice(after, after + 2);
    if (next === "\r\n") {
      pos = after + 2;
      continue;
    }
    if (next !== "--") return { ok: false, reason: "a boundary is followed by neither a part nor the end" };
    const rest = s.slice(after + 2);
    return rest === "" || rest === "\r\n" ? { ok: true, fields } : { ok: false, reason: "there is data after the closing boundary" };
  }
}
