import { defineConfig } from "prisma/config";

// Prisma's CLI is used here only for `generate`; migrations are applied by scripts/db-migrate.ts
// (Prisma's native schema engine is not on npm, so `prisma migrate` cannot run where it is absent).
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "" },
});
