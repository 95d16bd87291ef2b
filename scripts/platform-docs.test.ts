import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The platform facts the code cites live in docs/platforms/. Every `docs/platforms/X.md §N.N`
 * reference in a tracked file must name a file that exists and a section heading it has, so a
 * maintainer can always follow one; and no tracked file may point outside the repository.
 */
const root = path.resolve(import.meta.dirname, "..");
const self = path.relative(root, import.meta.filename);
const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" })
  .split("\0")
  .filter((file) => file && !/\.(png|jpe?g|gif|ico|woff2?)$/i.test(file) && fs.existsSync(path.join(root, file)));
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");

const SECTION = String.raw`\d+(?:\.\d+)?`;
/** `docs/platforms/shopify.md §1.7`, `§1.1-1.6`, `§2.2/2.3`, `§1.1, 1.4, 2.5, 4`, `§1–§3 and §6`. */
const REFERENCE = new RegExp(String.raw`docs/platforms/([\w-]+)\.md(?:\s*§\s*(${SECTION}(?:\s*(?:[-–,/]|and)\s*§?\s*${SECTION})*))?`, "g");

type Reference = { file: string; line: number; doc: string; sections: string[]; text: string };

function references(): Reference[] {
  const found: Reference[] = [];
  for (const file of tracked) {
    if (file === self) continue;
    const text = read(file);
    if (!text.includes("docs/platforms/")) continue;
    for (const m of text.matchAll(REFERENCE)) {
      const line = text.slice(0, m.index).split("\n").length;
      const sections = m[2] ? [...m[2].matchAll(new RegExp(SECTION, "g"))].map((s) => s[0]) : [];
      found.push({ file, line, doc: m[1]!, sections, text: m[0] });
    }
  }
  return found;
}

/** Section numbers a doc defines: "## 2. App Pricing" gives 2, "### 2.6 Partner API" gives 2.6. */
function sectionsOf(doc: string): Set<string> {
  const numbers = [...read(`docs/platforms/${doc}.md`).matchAll(/^#{2,4} (\d+(?:\.\d+)?)\.? /gm)].map((m) => m[1]!);
  return new Set(numbers);
}

describe("references to docs/platforms", () => {
  const all = references();
  const docs = new Map<string, Set<string>>();
  const sections = (doc: string) => {
    if (!docs.has(doc)) docs.set(doc, fs.existsSync(path.join(root, `docs/platforms/${doc}.md`)) ? sectionsOf(doc) : new Set());
    return docs.get(doc)!;
  };

  it("the code cites platform facts by section (the references below are checked, not absent)", () => {
    const bySection = all.filter((r) => r.sections.length > 0);
    expect(bySection.length).toBeGreaterThan(50);
    expect(new Set(bySection.map((r) => r.doc))).toEqual(new Set(["shopify", "wix"]));
  });

  it("every reference names a doc that exists", () => {
    const missing = all.filter((r) => !fs.existsSync(path.join(root, `docs/platforms/${r.doc}.md`)));
    expect(missing.map((r) => `${r.file}:${r.line} ${r.text}`)).toEqual([]);
  });

  it("every § it names is a heading of that doc", () => {
    const broken = all.flatMap((r) => r.sections.filter((s) => !sections(r.doc).has(s)).map((s) => `${r.file}:${r.line} ${r.text} (no section ${s})`));
    expect(broken).toEqual([]);
  });

  it("each doc numbers its sections once", () => {
    for (const doc of ["shopify", "wix"]) {
      const numbers = [...read(`docs/platforms/${doc}.md`).matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)].map((m) => m[1]!);
      expect(numbers.length).toBeGreaterThan(10);
      expect(
        numbers.filter((n, i) => numbers.indexOf(n) !== i),
        `${doc}.md repeats a section number`,
      ).toEqual([]);
    }
  });

  it("no platform file is cited without its docs/platforms/ path (a bare shopify.md cannot be followed)", () => {
    const bare = tracked
      .filter((file) => file !== self && !file.startsWith("docs/platforms/"))
      .flatMap((file) =>
        read(file)
          .split("\n")
          .map((text, i) => ({ text, line: i + 1 }))
          .filter(({ text }) => /(?<![\w/.-])(?:shopify|wix)\.md\b/.test(text.replace(/\[(?:shopify|wix)\.md\]\(/g, "(")))
          .map(({ text, line }) => `${file}:${line} ${text.trim()}`),
      );
    expect(bare).toEqual([]);
  });
});

describe("tracked files", () => {
  it("name no path of one machine and no file outside the repository", () => {
    const outside = /(?<![\w.-])\/(?:work|root|home)\/|\.\.\/shared\b/;
    const hits = tracked
      .filter((file) => file !== self)
      .flatMap((file) =>
        read(file)
          .split("\n")
          .map((text, i) => ({ text, line: i + 1 }))
          .filter(({ text }) => outside.test(text))
          .map(({ text, line }) => `${file}:${line} ${text.trim().slice(0, 120)}`),
      );
    expect(hits).toEqual([]);
  });
});
