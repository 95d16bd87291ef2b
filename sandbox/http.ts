// Minimal HTTP plumbing for the sandbox: a path router and plain reply objects.
// Handlers return a Reply (or null for "hold the connection"); server.ts writes it.
import type { IncomingMessage } from "node:http";

export type Reply = {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
};

export type Request = {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  params: Record<string, string>;
  rawBody: string;
  /** Sandbox time the request arrived, before its body was read: the rate limit counts arrivals, as an edge would. */
  receivedMs: number;
};

export type Handler = (req: Request) => Reply | Promise<Reply>;

/** A `:name` segment of the matched route (the route declares it, so it is always there). */
export function param(req: Request, name: string): string {
  const value = req.params[name];
  if (value === undefined) throw new Error(`the route has no :${name} segment`);
  return value;
}

type Route = { method: string; segments: string[]; handler: Handler };

export class Router {
  private routes: Route[] = [];

  on(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, segments: split(pattern), handler });
    return this;
  }

  /** Finds the handler for a method + path; `params` receives `:name` segments. */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | "method_not_allowed" | null {
    const parts = split(path);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      pathMatched = true;
      if (route.method === method) return { handler: route.handler, params };
    }
    return pathMatched ? "method_not_allowed" : null;
  }
}

function split(path: string): string[] {
  return path.split("/").filter((s) => s.length > 0);
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (const [i, p] of pattern.entries()) {
    const part = parts[i] ?? "";
    if (p.startsWith(":")) params[p.slice(1)] = safeDecode(part);
    else if (p !== "*" && p !== part) return null;
  }
  return params;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Glob match used by fault routes: `*` matches one path segment, `**` any rest. */
export function pathMatches(pattern: string, path: string): boolean {
  if (pattern === "*" || pattern === "**") return true;
  const pat = split(pattern);
  const parts = split(path);
  for (let i = 0; i < pat.length; i++) {
    if (pat[i] === "**") return true;
    if (i >= parts.length) return false;
    if (pat[i] !== "*" && pat[i] !== parts[i]) return false;
  }
  return pat.length === parts.length;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    body: JSON.stringify(body),
  };
}

export function text(status: number, body: string, contentType = "text/plain; charset=utf-8"): Reply {
  return { status, headers: { "content-type": contentType }, body };
}

/** Parses a JSON body; returns `undefined` for an empty body and a ParseError for bad JSON. */
export function parseJson(raw: string): unknown {
  if (raw.trim() === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch (err) {
    return new ParseError((err as Error).message);
  }
}

export class ParseError {
  constructor(readonly message: string) {}
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Header value as one string (first of a repeated header). */
export function header(req: Request, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Parses a `limit` query value within [1, max]. */
export function parseLimit(raw: string | null, fallback: number, max: number): number {
  const n = raw === null ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1) return fallback;
  return Math.min(n, max);
}

export function encodeCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`).toString("base64url");
}

export function decodeCursor(cursor: string | null): number | null {
  if (!cursor) return null;
  const m = /^seq:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString());
  return m ? Number(m[1]) : null;
}
