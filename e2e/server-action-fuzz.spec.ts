import fs from "node:fs";
import http from "node:http";
import { expect, test } from "@playwright/test";
import fc from "fast-check";
import pg from "pg";
import { nasty } from "../lib/testing/nasty";
import { users } from "./helpers";

/**
 * The built app (next start) under server action requests nobody's browser would send: 2,000
 * generated, over raw HTTP (chunked or with a length), signed in as the admin or not. Real and
 * made-up action ids, every content type, broken multipart, arguments in and out of React's
 * reply format (references, NUL, lone surrogates, deep nesting, bytes that are not UTF-8), forms
 * posted without JavaScript with forged descriptors, other origins and none, pages and non-pages.
 * Not one answer may be a 5xx, and the database must be as it was (every table's content; the
 * connections only by count, since the worker stamps its polls on them).
 */
const port = Number(process.env.E2E_PORT ?? 3100);
const origin = `http://127.0.0.1:${port}`;
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);

type Manifest = { node: Record<string, { exportedName?: string; workers: Record<string, unknown> }> };
const manifest = JSON.parse(fs.readFileSync(".next/server/server-reference-manifest.json", "utf8")) as Manifest;
const actionIds = Object.keys(manifest.node);
/** The page each action is served from: app/(dashboard)/settings/users/page → /settings/users. */
const actionPages = [...new Set(Object.values(manifest.node).flatMap((a) => Object.keys(a.workers)))].map(
  (w) =>
    w
      .replace(/^app/, "")
      .replace(/\/page$/, "")
      .replace(/\/\([^)]+\)/g, "")
      .replace(/\[[^\]]+\]/g, "00000000-0000-4000-8000-000000000000") || "/",
);

type Hostile = { path: string; headers: Record<string, string>; body: Buffer; chunked: boolean; signedIn: boolean };

function send(r: Hostile, cookie: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...r.headers, ...(r.signedIn ? { cookie } : {}) };
    headers[r.chunked ? "transfer-encoding" : "content-length"] = r.chunked ? "chunked" : String(r.body.length);
    const req = http.request({ host: "127.0.0.1", port, path: r.path, method: "POST", headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(r.body);
  });
}

async function signInCookie(): Promise<string> {
  const csrf = await fetch(`${origin}/api/auth/csrf`);
  const jar = csrf.headers.getSetCookie().map((c) => c.split(";")[0]!);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${origin}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: jar.join("; "), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken, email: users.admin.email, password: users.admin.password }),
  });
  const cookie = [...jar, ...res.headers.getSetCookie().map((c) => c.split(";")[0]!)].join("; ");
  expect(cookie, "signed in").toContain("session-token");
  return cookie;
}

/** Every table's content as a hash (connections: their count), to show nothing was written. */
async function snapshot(): Promise<Record<string, string>> {
  const url = new URL(process.env.E2E_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres");
  url.pathname = `/pbd_e2e_${port}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rows } = await client.query<{ t: string }>(
      "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
    );
    const out: Record<string, string> = {};
    for (const { t } of rows) {
      const sql =
        t === "connections"
          ? `SELECT count(*)::text AS h FROM "${t}"`
          : `SELECT md5(coalesce(string_agg(x::text, chr(10) ORDER BY x::text), '')) AS h FROM "${t}" x`;
      out[t] = (await client.query<{ h: string }>(sql)).rows[0]!.h;
    }
    return out;
  } finally {
    await client.end();
  }
}

// ---- the generated requests -------------------------------------------------------------

const hex = (n: number) => fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: n, maxLength: n });
const actionId = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...actionIds) },
  fc.constantFrom("", "0".repeat(40), "x", `${actionIds[0]}, ${actionIds[1]}`, actionIds[0]!.toUpperCase(), "toString", "__proto__"),
  hex(42),
  hex(41),
  fc.string({ maxLength: 60 }),
);
const reference = fc.constantFrom(
  "$Q1",
  "$W1",
  "$@1",
  "$@0",
  "$h1",
  "$1",
  "$0:constructor:constructor",
  "$1:__proto__:then",
  "$T",
  "$B1",
  "$K1",
  "$R1",
  "$i1",
  "$",
  "$n",
  "$nxyz",
  `$n${"9".repeat(400)}`,
  "$A1",
  "$Y",
  "$Z",
);
const value = fc.oneof(nasty.value(), reference);
const args = fc.oneof(
  fc.array(fc.dictionary(fc.string({ maxLength: 12 }), value, { maxKeys: 6 }), { maxLength: 3 }).map((a) => JSON.stringify(a)),
  fc.array(value, { maxLength: 4 }).map((a) => JSON.stringify(a)),
  value.map((v) => JSON.stringify(v) ?? "undefined"),
  nasty.json(),
  fc.constantFrom(
    "[",
    "[{",
    '[{"a":"\\ud800"}]',
    '["\\u0000"]',
    "[]]",
    "null",
    "",
    " ",
    "[1,2,3",
    `[${"[".repeat(2000)}${"]".repeat(2000)}]`,
    `[${'"x",'.repeat(5000)}"x"]`,
    '[{"__proto__":{"then":1}}]',
  ),
);
const text = fc.oneof(args, fc.string({ maxLength: 200 }), fc.string({ unit: "binary", maxLength: 200 }));
const bytes = fc.oneof(
  text.map((t) => Buffer.from(t)),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
);

const boundary = fc.constantFrom("----WebKitFormBoundaryAbC123xyz", "B", "x y", '"q"', "");
const fieldName = fc.oneof(
  fc.constantFrom(
    "0",
    "_1_email",
    "_1_password",
    "$ACTION_REF_1",
    "$ACTION_1:0",
    "$ACTION_1:1",
    "$ACTION_KEY",
    "email",
    "password",
    "",
    "S1",
    "1",
    "00",
    "$ACTION_FOO",
  ),
  actionId.map((id) => `$ACTION_ID_${id}`),
  fc.string({ maxLength: 12 }),
);
const fieldValue = fc.oneof(
  args,
  actionId.map((id) => `{"id":"${id}","bound":"$@1"}`),
  actionId.map((id) => `{"id":"${id}","bound":null}`),
  fc.constantFrom('{"id":"', "{garbage", '{"bound":null}'),
  text,
);
type Part = { name: string; value: string; filename?: string };
const part: fc.Arbitrary<Part> = fc.record({ name: fieldName, value: fieldValue, filename: fc.option(fc.constantFrom("a.txt", ""), { nil: undefined }) });
const multipartType = (b: string) => [
  `multipart/form-data; boundary=${b}`,
  `multipart/form-data; boundary="${b}"`,
  "multipart/form-data",
  `multipart/form-data;boundary=${b};charset=utf-8`,
];
const multipart = fc
  .tuple(
    boundary,
    fc.array(part, { maxLength: 6 }),
    fc.nat(),
    fc.oneof(fc.constant(""), fc.constantFrom("--", "\r\n", "garbage", "\r\n--"), fc.string({ maxLength: 20 })),
    fc.boolean(),
    fc.nat(3),
  )
  .map(([b, parts, cut, junk, truncate, t]) => {
    let body =
      parts
        .map(
          (p) =>
            `--${b}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename === undefined ? "" : `; filename="${p.filename}"`}\r\n\r\n${p.value}\r\n`,
        )
        .join("") + `--${b}--\r\n`;
    if (truncate) body = body.slice(0, cut % (body.length + 1)) + junk + body.slice(cut % (body.length + 1));
    return { type: multipartType(b)[t]!, body: Buffer.from(body) };
  });
const textType = fc.constantFrom(
  "text/plain;charset=UTF-8",
  "text/plain",
  "application/json",
  "application/x-www-form-urlencoded",
  "text/html",
  "Multipart/Form-Data; boundary=B",
  "multipart/mixed; boundary=B",
  "",
);

const originHeader = fc.oneof(
  { weight: 6, arbitrary: fc.constant(origin) },
  fc.constantFrom(undefined, "null", "https://evil.example", "::::", `http://localhost:${port}`, `${origin}.evil.example`),
);
const path = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...actionPages, "/login", "/") },
  fc.constantFrom("/api/v1/events", "/api/nope", "/x.png", "/openapi.yaml", "/_next/static/x.js", "/no-such-page", "/events/not-an-id"),
);

const fetchAction = fc
  .record({ id: actionId, type: textType, body: bytes })
  .map(({ id, type, body }) => ({ headers: { "next-action": id, ...(type ? { "content-type": type } : {}) }, body }));
const fetchMultipart = fc.record({ id: actionId, m: multipart }).map(({ id, m }) => ({ headers: { "next-action": id, "content-type": m.type }, body: m.body }));
const noJsForm = multipart.map((m) => ({ headers: { "content-type": m.type } as Record<string, string>, body: m.body }));

// Well-formed envelopes around hostile values, so that the actions themselves see them: a real
// action id, an argument list in React's format, fields as a browser writes them.
const realId = fc.constantFrom(...actionIds);
const field = fc.oneof(
  fc.constantFrom("id", "email", "name", "password", "role", "note", "connectionId", "text", "format", "amount", "currency"),
  fc.string({ maxLength: 10 }),
);
const hostileText = fc.oneof(nasty.text(), fc.constantFrom("$$Q1", "$undefined", "$NaN", "$D2026-13-45", "$n123"));
const argObject = fc.dictionary(field, fc.oneof(nasty.value(), hostileText), { maxKeys: 8 });
const wellFormedAction = fc.record({ id: realId, args: fc.array(argObject, { minLength: 1, maxLength: 2 }) }).map(({ id, args }) => ({
  headers: { "next-action": id, "content-type": "text/plain;charset=UTF-8" } as Record<string, string>,
  body: Buffer.from(JSON.stringify(args)),
}));
const B = "----WebKitFormBoundaryFuzz0123456789";
const formBody = (fields: [string, string][]) =>
  Buffer.from(fields.map(([n, v]) => `--${B}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`).join("") + `--${B}--\r\n`);
const formFields = fc.array(
  fc.tuple(
    field.filter((n) => n.length > 0 && [...n].every((c) => c >= " " && c !== "\x7f" && c !== '"' && c !== "\\")),
    hostileText.filter((v) => !v.includes(B)),
  ),
  { maxLength: 5 },
);
const wellFormedMultipart = fc.record({ id: realId, fields: formFields, state: fc.boolean() }).map(({ id, fields, state }) => ({
  headers: { "next-action": id, "content-type": `multipart/form-data; boundary=${B}` } as Record<string, string>,
  body: formBody([...fields.map(([n, v]): [string, string] => [`_1_${n}`, v]), ["0", state ? '[{},"$K1"]' : '["$K1"]']]),
}));
const wellFormedNoJs = fc
  .record({ id: realId, fields: formFields, bound: fc.option(fc.array(argObject, { maxLength: 2 }), { nil: undefined }) })
  .map(({ id, fields, bound }) => ({
    headers: { "content-type": `multipart/form-data; boundary=${B}` } as Record<string, string>,
    body: formBody(
      bound === undefined
        ? [[`$ACTION_ID_${id}`, ""], ...fields]
        : [["$ACTION_REF_1", ""], ["$ACTION_1:0", `{"id":"${id}","bound":"$@1"}`], ["$ACTION_1:1", JSON.stringify(bound)], ["$ACTION_KEY", "k0"], ...fields],
    ),
  }));

const hostile: fc.Arbitrary<Hostile> = fc
  .record({
    what: fc.oneof(fetchAction, fetchMultipart, noJsForm, wellFormedAction, wellFormedMultipart, wellFormedNoJs),
    path,
    origin: originHeader,
    chunked: fc.boolean(),
    signedIn: fc.boolean(),
  })
  .map(({ what, path, origin: o, chunked, signedIn }) => ({
    path,
    headers: { ...what.headers, ...(o === undefined ? {} : { origin: o }) },
    body: what.body,
    chunked,
    signedIn,
  }));

test("2,000 generated hostile server action requests against next start: 0 × 5xx, nothing written", async () => {
  test.setTimeout(900_000);
  expect(actionIds.length, "the build's server actions").toBeGreaterThan(10);
  const cookie = await signInCookie();
  const before = await snapshot();
  const statuses = new Map<number, number>();
  const fiveHundreds: string[] = [];
  await fc.assert(
    fc.asyncProperty(hostile, async (r) => {
      const status = await send(r, cookie);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      // Every 5xx is kept (not just the first) so a failing run shows each kind at once.
      if (status >= 500 || status < 200)
        fiveHundreds.push(
          `${status} ${r.path} ${JSON.stringify(r.headers)} chunked=${r.chunked} signedIn=${r.signedIn} ${JSON.stringify(r.body.toString("latin1").slice(0, 300))}`,
        );
    }),
    { numRuns: RUNS },
  );
  const after = await snapshot();
  const counts = Object.fromEntries([...statuses].sort(([a], [b]) => a - b));
  console.log(`${RUNS} hostile server action requests: answers by status ${JSON.stringify(counts)}; 5xx: ${fiveHundreds.length}`);
  expect(fiveHundreds).toEqual([]);
  const changed = Object.keys(before).filter((t) => before[t] !== after[t]);
  console.log(`tables changed: ${changed.length ? changed.join(", ") : "none"} (of ${Object.keys(before).length})`);
  expect(changed).toEqual([]);
  expect((await fetch(`${origin}/login`)).status, "the server still answers").toBe(200);
});
