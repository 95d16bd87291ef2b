import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Every `npm run` command the README and package.json name must start something that exists:
 * a script file run by tsx / node / bash, or a binary installed under node_modules/.bin.
 */
const root = path.resolve(import.meta.dirname, "..");
const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts;

/** The files and binaries one script line refers to. */
function references(line: string): { files: string[]; bins: string[] } {
  const files: string[] = [];
  const bins: string[] = [];
  for (const command of line.split(/&&|\|\||;/)) {
    const words = command
      .trim()
      .split(/\s+/)
      .filter((w) => !/^[A-Z_]+=/.test(w));
    const [bin, first] = words;
    if (!bin) continue;
    if (["tsx", "node", "bash"].includes(bin) && first && !first.startsWith("-")) files.push(first);
    else if (bin !== "npm") bins.push(bin);
  }
  return { files, bins };
}

describe("package.json scripts", () => {
  it.each(Object.entries(scripts))("%s refers only to files and binaries that exist", (_name, line) => {
    const { files, bins } = references(line);
    for (const file of files) expect(fs.existsSync(path.join(root, file)), `${file} is missing`).toBe(true);
    for (const bin of bins) expect(fs.existsSync(path.join(root, "node_modules/.bin", bin)), `${bin} is not installed`).toBe(true);
  });

  it("every `npm run X` in the README is a script", () => {
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    const named = [...readme.matchAll(/npm run ([\w:.-]+)/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(3);
    for (const name of new Set(named)) expect(scripts, `README names npm run ${name}`).toHaveProperty(name);
  });
});
