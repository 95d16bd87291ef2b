import fs from "node:fs";
import { createRequire } from "node:module";
import { Readable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { descriptorProblem, replyProblem } from "./action-reply";
import { checkBodyRequest, isPagePath, PUBLIC_FILES, sameOrigin, type BodyRequest } from "./server-action-guard";
import { multipartBoundary, parseStrictMultipart } from "./strict-multipart";

const MB = 1024 * 1024;
const ID = "7f72b96b79715102a8c415cc8107f5f3fbce91f2da";
const HOST = { host: "billing.example.com", origin: "https://billing.example.com" };

function stream(bytes: Uint8Array, chunk = 64 * 1024): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.subarray(at, (at += chunk)));
    },
  });
}

/** A POST as a browser sends it (with its Content-Length, unless `headers` says chunked: "content-length": ""). */
function check(headers: Record<string, string>, body: string | Uint8Array | null, more: Partial<BodyRequest> = {}) {
  const bytes = body === null ? null : typeof body === "string" ? Buffer.from(body) : body;
  const h = new Headers({ ...(bytes ? { "content-length": String(bytes.length) } : {}), ...headers });
  if (h.get("content-length") === "") h.delete("content-length");
  return checkBodyRequest({ method: "POST", page: true, headers: h, body: bytes === null ? null : stream(bytes), ...more });
}
const action = (body: string | Uint8Array, headers: Record<string, string> = {}) =>
  check({ ...HOST, "next-action": ID, "content-type": "text/plain;charset=UTF-8", ...headers }, body);

function multipart(fields: [string, string][], boundary = "----WebKitFormBoundaryAbC123") {
  const body = fields.map(([n, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`).join("") + `--${boundary}--\r\n`;
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

const pair = (fields: [string, string][]): [string, string] => {
  const m = multipart(fields);
  return [m.contentType, m.body];
};

describe("server action requests the proxy lets through", () => {
  it("an argument list as our forms send it, as text or with a FormData argument", async () => {
    expect(await action(JSON.stringify([{ id: "x", note: "$$dollar", when: "$D2026-01-01T00:00:00.000Z", none: "$undefined", n: "$n12" }]))).toBeNull();
    const login = multipart([
      ["_1_email", "a@b.co"],
      ["_1_password", "p"],
      ["0", '[{},"$K1"]'],
    ]);
    expect(await check({ ...HOST, "next-action": ID, "content-type": login.contentType }, login.body)).toBeNull();
  });

  it("a form posted without JavaScript, by action id or by descriptor with bound state", async () => {
    const logout = multipart([[`$ACTION_ID_${ID}`, ""]]);
    expect(await check({ ...HOST, "content-type": logout.contentType }, logout.body)).toBeNull();
    const login = multipart([
      ["$ACTION_REF_1", ""],
      ["$ACTION_1:0", `{"id":"${ID}","bound":"$@1"}`],
      ["$ACTION_1:1", "[{}]"],
      ["$ACTION_KEY", "k1"],
      ["email", "a"],
    ]);
    expect(await check({ ...HOST, "content-type": login.contentType }, login.body)).toBeNull();
  });

  it("anything that is not an action or a form: a POST to a page reads no body, an API route reads its own", async () => {
    expect(await check({ "content-type": "text/plain" }, "whatever")).toBeNull();
    expect(await check({ "content-type": "application/json" }, "{}", { page: false })).toBeNull();
  });
});

describe("server action requests the proxy refuses, and how", () => {
  const status = async (p: Promise<{ status: number } | null>) => (await p)?.status ?? "passed";

  it("403 from another origin or none", async () => {
    expect(await status(action("[]", { origin: "https://evil.example" }))).toBe(403);
    expect(await status(action("[]", { origin: "null" }))).toBe(403);
    expect(await status(check({ host: HOST.host, "next-action": ID, "content-type": "text/plain" }, "[]"))).toBe(403);
    expect(sameOrigin(new Headers({ host: "10.0.0.5:3000", "x-forwarded-host": "billing.example.com", origin: "https://billing.example.com" }))).toBe(true);
    expect(sameOrigin(new Headers({ host: "billing.example.com", origin: "https://billing.example.com:8443" }))).toBe(false);
  });

  it("400 for an id that is not one, 415 for a type our pages never send, 400 off the pages", async () => {
    for (const id of ["", "zz", "0".repeat(41), "g".repeat(42), `${ID}, ${ID}`]) expect(await status(action("[]", { "next-action": id }))).toBe(400);
    for (const type of ["application/json", "application/x-www-form-urlencoded", "text/html", ""])
      expect(await status(action("[]", { "content-type": type }))).toBe(415);
    expect(await status(action("[]", { "content-encoding": "gzip" }))).toBe(415);
    expect(await status(check({ ...HOST, "next-action": ID, "content-type": "text/plain" }, "[]", { page: false }))).toBe(400);
    expect(await status(check({ ...HOST, "content-type": "multipart/form-data; boundary=x" }, "--x--", { page: false }))).toBe(400);
  });

  it("413 for a body over the limit, declared or counted as it streams; 411 for a streamed one within it", async () => {
    const big = new Uint8Array(21 * MB + 1).fill(0x20);
    expect(await action(big, { "content-length": "" })).toMatchObject({ status: 413, message: expect.stringContaining("at most 21 MB") });
    expect(await status(action("[]", { "content-length": "" }))).toBe(411);
    expect(await status(check({ ...HOST, "content-type": "multipart/form-data; boundary=x", "content-length": "" }, new Uint8Array(MB + 1)))).toBe(413);
    expect(await status(action("[]", { "content-length": String(21 * MB + 1) }))).toBe(413);
    expect(await status(check({ ...HOST, "content-type": "multipart/form-data; boundary=x" }, new Uint8Array(MB + 1)))).toBe(413);
    expect(await status(check({ "content-type": "text/plain", "content-length": "" }, big))).toBe(413); // a page takes no such body either
  });

  it("400 for arguments React would choke on", async () => {
    for (const body of ["[{", "{}", '"x"', '["$Q1"]', '["$@1"]', '["$h1"]', '["$1:constructor"]', '["$T"]', '["$nxyz"]', '["$"]', '["$K1"]', '["$B1"]']) {
      expect(await status(action(body)), body).toBe(400);
    }
    expect(await status(action(Buffer.from([0x5b, 0x22, 0xff, 0xfe, 0x22, 0x5d])))).toBe(400); // not UTF-8
    expect(await status(action(`${"[".repeat(40)}${"]".repeat(40)}`))).toBe(400);
    expect(await status(action(JSON.stringify([["a", "x".repeat(1_000_001)]])))).toBe(400);
  });

  it("400 for multipart a browser would not write, or fields our forms never send", async () => {
    const bodies: [string, string][] = [
      ["multipart/form-data", "x"],
      ["multipart/form-data; boundary=XX", '--XX\r\nContent-Disposition: form-data; name="0"\r\n\r\n[]\r\n--X'],
      ["multipart/form-data; boundary=XX", "garbage"],
      ["multipart/form-data; boundary=XX", '--XX\r\nContent-Disposition: form-data; name="0"; filename="a"\r\n\r\n[]\r\n--XX--'],
      pair([["0", "[{"]]),
      pair([
        ["0", "[]"],
        ["0", "[]"],
      ]),
      pair([
        ["0", "[]"],
        ["", "x"],
      ]),
      pair([
        ["0", "[]"],
        ["S1", "x"],
      ]),
    ];
    for (const [type, body] of bodies) expect(await status(check({ ...HOST, "next-action": ID, "content-type": type }, body)), body).toBe(400);
    const forms = [
      multipart([
        ["$ACTION_REF_1", ""],
        ["$ACTION_1:0", "{garbage"],
      ]),
      multipart([
        ["$ACTION_REF_1", ""],
        ["$ACTION_1:0", `{"id":"${ID}","bound":"$@2"}`],
      ]),
      multipart([
        ["$ACTION_REF_1", ""],
        ["$ACTION_1:0", `{"id":"${ID}","bound":"$@1"}`],
        ["$ACTION_1:1", '["$Q3"]'],
      ]),
      multipart([["$ACTION_ID_zz", ""]]),
      multipart([["$ACTION_FOO", ""]]),
    ];
    for (const f of forms) expect(await status(check({ ...HOST, "content-type": f.contentType }, f.body)), f.body).toBe(400);
  });
});

describe("the reply format check", () => {
  it("walks any depth it allows without recursion and names what it refuses", () => {
    expect(replyProblem('[1,2,{"a":[true,null]}]')).toBeNull();
    expect(replyProblem('["$Q1"]')).toContain("$Q1");
    expect(descriptorProblem(`{"id":"${ID}","bound":null}`)).toEqual({ bound: null });
    expect(descriptorProblem(`{"id":"${ID}","bound":"$@a"}`)).toEqual({ bound: 10 });
  });

  it("knows every file in public/, and proxy.ts matches each", () => {
    const files = fs
      .readdirSync("public")
      .map((f) => `/${f}`)
      .sort();
    expect(PUBLIC_FILES.toSorted()).toEqual(files);
    const proxy = fs.readFileSync("proxy.ts", "utf8");
    for (const f of files) expect(proxy).toContain(`"${f}",`);
  });

  it("treats the page paths as the proxy's first matcher does", () => {
    for (const p of ["/", "/settings", "/events/1", "/login"]) expect(isPagePath(p), p).toBe(true);
    for (const p of ["/api/v1/events", "/_next/static/x.js", "/_next/image", "/favicon.ico", "/openapi.yaml", "/a.png", "/x/y.json"])
      expect(isPagePath(p), p).toBe(false);
  });
});

// What the strict parser accepts, both of Next's parsers read as the same fields: undici's
// (Request.formData, for forms posted without JavaScript) and busboy's (for server actions).
const busboy = createRequire(import.meta.url)("next/dist/compiled/busboy") as (
  o: object,
) => NodeJS.WritableStream & { on(e: string, f: (...a: never[]) => void): void };

function busboyFields(body: Uint8Array, contentType: string): Promise<[string, string][] | "error"> {
  return new Promise((resolve) => {
    const out: [string, string][] = [];
    let bb;
    try {
      bb = busboy({ headers: { "content-type": contentType }, defParamCharset: "utf8" });
    } catch {
      return resolve("error");
    }
    bb.on("field", (name: string, value: string) => out.push([name, value]));
    bb.on("file", () => resolve("error"));
    bb.on("error", () => resolve("error"));
    bb.on("close", () => resolve(out));
    Readable.from([Buffer.from(body)]).pipe(bb);
  });
}

describe("the strict multipart parser", () => {
  const piece = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom(
      "\r\n",
      "--",
      "\r\n--B",
      "\r\n--B--",
      '"',
      "\u0000",
      "é",
      "--B\r\n",
      "\r\n\r\n",
      'Content-Disposition: form-data; name="a"',
      '; filename="f"',
    ),
  );
  const text = (maxLength: number) => fc.oneof(fc.string({ maxLength }), fc.string({ maxLength, unit: "grapheme" }), fc.string({ maxLength, unit: "binary" }));
  const field = fc.tuple(
    text(10).filter((n) => !/["\\\r\n]/.test(n)),
    text(20),
  );
  const wellFormed = fc.array(field, { minLength: 1, maxLength: 5 }).map((fs) => multipart(fs, "B").body);
  const body = fc.oneof(
    wellFormed,
    fc
      .tuple(wellFormed, fc.nat(200), fc.array(piece, { maxLength: 4 }))
      .map(([b, at, ps]) => b.slice(0, at % (b.length + 1)) + ps.join("") + b.slice(at % (b.length + 1))),
    fc.array(piece, { maxLength: 12 }).map((ps) => ps.join("")),
  );

  it("accepts only bodies undici and busboy both read to the same fields (2,000 generated)", async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const bytes = Buffer.from(text);
        const type = "multipart/form-data; boundary=B";
        const mine = parseStrictMultipart(bytes, multipartBoundary(type)!);
        if (!mine.ok) return;
        accepted++;
        const expected = mine.fields.map((f) => [f.name, f.value]);
        const viaUndici = [...(await new Request("http://x/", { method: "POST", body: bytes, headers: { "content-type": type } }).formData())].map(([n, v]) => [
          n,
          String(v),
        ]);
        expect(viaUndici).toEqual(expected);
        expect(await busboyFields(bytes, type)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
    expect(accepted).toBeGreaterThan(200);
  });
});
