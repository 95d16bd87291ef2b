/**
 * npm run db:migration:create -- <name>
 * Writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL that takes the committed
 * migrations to prisma/schema.prisma. Works without Prisma's native engine: the committed
 * migrations are applied to an in-memory embedded Postgres, and Prisma's schema engine (WebAssembly)
 * diffs that database against the schema.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum } from "@prisma/driver-adapter-utils";
import * as bg from "@prisma/schema-engine-wasm/schema_engine_bg";
import { startEmbeddedPostgres } from "../lib/db/embedded";
import { applyMigrations, MIGRATIONS_DIR } from "../lib/db/migrate";

/**
 * Postgres' internal "char" type (OID 18, e.g. pg_constraint.contype) is unmapped by adapter-pg 7.10.
 * The pool hands such columns over as text and remembers where they were; the adapter then reports
 * them as Character, which is what the schema engine reads them as. The script runs one query at a time.
 */
let charColumns: number[] = [];
class CharAwarePool extends pg.Pool {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override async query(...args: any[]): Promise<any> {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const result = await (super.query as any)(...args);
    charColumns = [];
    (result?.fields ?? []).forEach((field: { dataTypeID: number }, i: number) => {
      if (field.dataTypeID === 18) {
        field.dataTypeID = 25;
        charColumns.push(i);
      }
    });
    return result;
  }
}
function charAwareFactory(connectionString: string) {
  const factory = new PrismaPg(new CharAwarePool({ connectionString }));
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    const queryRaw = adapter.queryRaw.bind(adapter);
    adapter.queryRaw = async (query) => {
      const result = await queryRaw(query);
      for (const i of charColumns) result.columnTypes[i] = ColumnTypeEnum.Character;
      return result;
    };
    return adapter;
  };
  return factory;
}

const name = (process.argv[2] ?? "").replace(/[^a-z0-9_]/gi, "_").toLowerCase();
if (!name) {
  console.error("usage: npm run db:migration:create -- <name>");
  process.exit(2);
}

(globalThis as Record<string, unknown>).PRISMA_WASM_PANIC_REGISTRY = {
  set_message: (message: string) => console.error(`schema engine panic: ${message}`),
};
const require = createRequire(import.meta.url);
const wasmPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg").replace(/\.js$/, ".wasm");
const { instance } = await WebAssembly.instantiate(fs.readFileSync(wasmPath), {
  "./schema_engine_bg.js": bg as unknown as WebAssembly.ModuleImports,
});
(bg as unknown as { __wbg_set_wasm(x: unknown): void }).__wbg_set_wasm(instance.exports);
(instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();

const pgServer = await startEmbeddedPostgres({ dataDir: null });
try {
  await applyMigrations(pgServer.url);
  const adapter = bindMigrationAwareSqlAdapterFactory(charAwareFactory(pgServer.url));
  const schema = fs.readFileSync(path.resolve(import.meta.dirname, "../prisma/schema.prisma"), "utf8");
  const files = [{ path: "schema.prisma", content: schema }];
  const engine = await bg.SchemaEngine.new({ datamodels: [["schema.prisma", schema]] }, () => {}, adapter);
  const result = await engine.diff({
    from: { tag: "schemaDatasource", files, configDir: process.cwd() },
    to: { tag: "schemaDatamodel", files },
    script: true,
    exitCode: null,
    filters: { externalTables: ["public._prisma_migrations"], externalEnums: [] },
  } as unknown as Parameters<typeof engine.diff>[0]);
  const sql = (result.stdout ?? "").replace(/^-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n/, "");
  if (!sql.trim() || /^-- This is an empty migration/.test(sql.trim())) {
    console.log("prisma/schema.prisma matches the migrations: nothing to write.");
  } else {
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "migration.sql"), sql);
    console.log(`wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
  }
  await pgServer.close();
  process.exit(0);
} catch (err) {
  console.error(err);
  process.exit(1);
}
