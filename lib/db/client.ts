import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { databaseUrl, env } from "../env";
import { logger } from "../logger";
import { PrismaClient } from "../generated/prisma/client";

export { Prisma } from "../generated/prisma/client";
export type { PrismaClient } from "../generated/prisma/client";

export function createPrisma(url = databaseUrl(), max = env().DATABASE_POOL_SIZE): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max }) });
}

const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };

/** One client per process (survives dev hot reloads). */
export function db(): PrismaClient {
  globalForPrisma.prisma ??= createPrisma();
  return globalForPrisma.prisma;
}

export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

const globalForSql = globalThis as unknown as { sql?: pg.Pool };

/**
 * A small node-postgres pool beside Prisma's, for the ledger's hot batch statements (the ingest
 * INSERT of up to 1,000 rows): Prisma's raw-query path costs ~5 ms of CPU a batch over pg's.
 */
export function sql(): pg.Pool {
  if (!globalForSql.sql) {
    const pool = new pg.Pool({ connectionString: databaseUrl(), max: 4 });
    // An idle connection the server dropped is replaced on the next query; it must not crash the process.
    pool.on("error", (err) => logger.warn({ err }, "idle database connection closed"));
    globalForSql.sql = pool;
  }
  return globalForSql.sql;
}

export async function closeSql(): Promise<void> {
  const pool = globalForSql.sql;
  globalForSql.sql = undefined;
  await pool?.end();
}
