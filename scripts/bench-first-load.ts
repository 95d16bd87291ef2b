/**
 * First-load JavaScript of the dashboard's pages, as a signed-in browser loads them from a running
 * `next start` (Next 16's build output no longer prints route sizes):
 *   tsx scripts/bench-first-load.ts --app-url http://127.0.0.1:3300 [--email … --password …]
 */
import { parseArgs } from "node:util";
import { firstLoadJs, signIn } from "./bench-helpers";
import { BENCH_USER } from "./generate-entities";

const { values: args } = parseArgs({
  options: {
    "app-url": { type: "string", default: "http://127.0.0.1:3300" },
    email: { type: "string", default: BENCH_USER.email },
    password: { type: "string", default: BENCH_USER.password },
    pages: { type: "string", default: "/,/events" },
  },
});
const base = args["app-url"];
const session = await signIn(base, { email: args.email, password: args.password });
for (const path of args.pages.split(",")) {
  const { files, raw, gzip } = await firstLoadJs(base, session, path);
  console.log(`${path.padEnd(10)} first-load JS: ${(gzip / 1024).toFixed(1)} KB gzip (${(raw / 1024).toFixed(1)} KB raw, ${files} files)`);
}
