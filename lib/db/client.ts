import { PrismaPg } from "@prisma/adapter-pg";
import { databaseUrl, env } from "../env";
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
