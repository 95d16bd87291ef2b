import { Prisma } from "../generated/prisma/client";
import { db } from "./client";

/**
 * The Shops & instances page at 10,000 shops and 5,000 instances: one searched page at a time,
 * keyset-paged (domain or site name, then id), so a deep page costs what the first one does.
 */
const SHOPS_PAGE_SIZE = 50;

export type PageCursor = { k: string; id: string };
const encodePageCursor = (c: PageCursor) => Buffer.from(JSON.stringify([c.k, c.id])).toString("base64url");
function decodePageCursor(raw: string | undefined): PageCursor | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(Buffer.from(raw, "base64url").toString()) as unknown;
    if (Array.isArray(v) && typeof v[0] === "string" && typeof v[1] === "string" && /^[0-9a-f-]{36}$/.test(v[1])) return { k: v[0], id: v[1] };
  } catch {
    // a bad cursor is the first page
  }
  return null;
}

/** `q`: a shop id (or GID), part of a domain or name. */
function shopSearch(q: string | undefined): Prisma.ShopWhereInput {
  const term = q?.trim();
  if (!term) return {};
  const id = /^(?:gid:\/\/shopify\/Shop\/)?(\d+)$/.exec(term)?.[1];
  return { OR: [...(id ? [{ shopId: id }] : []), { domain: { contains: term, mode: "insensitive" } }, { name: { contains: term, mode: "insensitive" } }] };
}

export async function listShopPage(opts: { q?: string; after?: string; limit?: number }) {
  const limit = opts.limit ?? SHOPS_PAGE_SIZE;
  const cursor = decodePageCursor(opts.after);
  const search = shopSearch(opts.q);
  const where: Prisma.ShopWhereInput = cursor ? { AND: [search, { OR: [{ domain: { gt: cursor.k } }, { domain: cursor.k, id: { gt: cursor.id } }] }] } : search;
  const [rows, total] = await Promise.all([
    db().shop.findMany({
      where,
      orderBy: [{ domain: "asc" }, { id: "asc" }],
      take: limit + 1,
      include: { connection: { select: { name: true, environment: true } } },
    }),
    db().shop.count({ where: search }),
  ]);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { rows: page, total, nextCursor: rows.length > limit && last ? encodePageCursor({ k: last.domain, id: last.id }) : null };
}

export async function listInstancePage(opts: { q?: string; after?: string; limit?: number }) {
  const limit = opts.limit ?? SHOPS_PAGE_SIZE;
  const cursor = decodePageCursor(opts.after);
  const term = opts.q?.trim();
  const search: Prisma.WixInstanceWhereInput = term ? { OR: [{ instanceId: term }, { siteName: { contains: term, mode: "insensitive" } }] } : {};
  const where: Prisma.WixInstanceWhereInput = cursor
    ? { AND: [search, { OR: [{ siteName: { gt: cursor.k } }, { siteName: cursor.k, id: { gt: cursor.id } }] }] }
    : search;
  const [rows, total] = await Promise.all([
    db().wixInstance.findMany({
      where,
      orderBy: [{ siteName: "asc" }, { id: "asc" }],
      take: limit + 1,
      include: { connection: { select: { name: true, environment: true } } },
    }),
    db().wixInstance.count({ where: search }),
  ]);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { rows: page, total, nextCursor: rows.length > limit && last ? encodePageCursor({ k: last.siteName, id: last.id }) : null };
}
