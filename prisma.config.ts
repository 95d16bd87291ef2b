import { defineConfig } from "prisma/config";

// Prisma's CLI is used here only for `generate`; migrations are applied by scripts/db-migrate.ts
// (no native schema engine on these machines, see ../shared/STACK.md).
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "" },
});
