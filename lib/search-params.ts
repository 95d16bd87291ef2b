import { z } from "zod";

/** Turns Next's searchParams into a validated filter; unknown or bad values are dropped, not trusted. */
export function parseSearchParams<S extends z.ZodObject>(schema: S, raw: Record<string, string | string[] | undefined>): z.infer<S> {
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined && value !== "") flat[k] = value;
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    const parsed = (field as z.ZodType).safeParse(flat[key]);
    if (parsed.success && parsed.data !== undefined) out[key] = parsed.data;
  }
  return out as z.infer<S>;
}

export function toQuery(params: Record<string, string | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}
