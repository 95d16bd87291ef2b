import fs from "node:fs";
import type { AddressInfo } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { keepExtendedQueriesWhole } from "./embedded-queue";

/**
 * The embedded Postgres (PGlite) served on loopback, so the app, the worker and Prisma's pg
 * adapter use the very same URL-based code path as with a real server.
 * dataDir null keeps everything in memory (tests, migration diffs).
 */
export type EmbeddedPostgres = { url: string; port: number; close(): Promise<void> };

export async function startEmbeddedPostgres(opts: { dataDir: string | null; port?: number }): Promise<EmbeddedPostgres> {
  if (opts.dataDir) fs.mkdirSync(opts.dataDir, { recursive: true });
  const db = await PGlite.create(opts.dataDir ?? undefined);
  // maxConnections must exceed the pool sizes of every process sharing it (see STACK.md).
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: opts.port ?? 0, maxConnections: 100 });
  keepExtendedQueriesWhole(server);
  await server.start();
  const address = (server as unknown as { server?: { address(): AddressInfo } }).server?.address();
  const port = address?.port ?? opts.port ?? 0;
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
    port,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}
