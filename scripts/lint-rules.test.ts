// The lint carries the design: these are the crossings it must refuse (and one it must allow),
// linted as if the code were in the file named, with the project's own eslint.config.mjs.
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const eslint = new ESLint({ cwd: new URL("..", import.meta.url).pathname });

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe("the lint's layer, sandbox and settings rules", () => {
  it.each([
    ["lib/domain/x.ts", 'import { db } from "../db/client";\nexport const x = db;', "the domain is pure"],
    ["lib/domain/x.ts", 'import { logger } from "@/lib/platforms/http";\nexport const x = logger;', "the domain is pure"],
    ["lib/services/x.ts", 'import { claimDue } from "../worker/claims";\nexport const x = claimDue;', "services are called by"],
    ["lib/db/x.ts", 'import { ingestEvents } from "../services/ingest";\nexport const x = ingestEvents;', "queries know the schema"],
    ["lib/platforms/shopify/x.ts", 'import { db } from "../../db/client";\nexport const x = db;', "the ledger is not theirs"],
    ["app/(dashboard)/x.tsx", 'import { startSandbox } from "@/sandbox/server";\nexport const x = startSandbox;', "over HTTP"],
    ["sandbox/shopify/x.ts", 'import { env } from "../../lib/env";\nexport const x = env;', "imports no app code"],
    ["lib/services/x.ts", "export const port = process.env.PORT;", "lib/env.ts"],
  ])("refuses %s: %s", async (file, code, reason) => {
    expect((await problems(file, code)).join("\n")).toContain(reason);
  });

  it("allows what the layers permit: a service using the database, platforms and the domain; a test reading process.env", async () => {
    const code =
      'import { db } from "../db/client";\nimport { toLedgerVerdict } from "../platforms/shopify/to-ledger";\nimport { Decimal } from "../domain/money";\nexport const x = [db, toLedgerVerdict, Decimal];';
    expect(await problems("lib/services/x.ts", code)).toEqual([]);
    expect(await problems("lib/services/x.integration.test.ts", "export const port = process.env.PORT;")).toEqual([]);
  });
});
