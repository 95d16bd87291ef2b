import fs from "node:fs";
import http from "node:http";
import { expect, test } from "@playwright/test";

// The built app (next start) under bodies nobody should send: an unauthenticated 200 MB POST to the
// Wix plugin route and to the ingest API, and 200 MB chunked server action bodies, leave the web
// process's memory within +64 MB (the body is streamed from here, never built in memory).
const port = Number(process.env.E2E_PORT ?? 3100);
const MB = 1024 * 1024;

/** Resident memory of the web process and its children, in bytes (Linux /proc). */
function rss(): number {
  const root = Number(fs.readFileSync(`.data/e2e-web-${port}.pid`, "utf8"));
  const parents = new Map<number, number>();
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      parents.set(
        Number(d),
        Number(
          fs
            .readFileSync(`/proc/${d}/stat`, "utf8")
            .replace(/^.*\) /, "")
            .split(" ")[1],
        ),
      );
    } catch {
      // gone meanwhile
    }
  }
  const tree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (!tree.has(pid) && tree.has(ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  let total = 0;
  for (const pid of tree) {
    try {
      total += Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** Streams `size` bytes (1 MB chunks, honouring backpressure) and resolves with the status, or 0 if the server closed first. */
function streamPost(path: string, size: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    let status = 0;
    const req = http.request({ host: "127.0.0.1", port, path, method: "POST", headers }, (res) => {
      status = res.statusCode ?? 0;
      res.resume();
      res.on("end", () => resolve(status));
    });
    req.on("error", () => resolve(status));
    const chunk = Buffer.alloc(MB, "x");
    let sent = 0;
    const write = () => {
      while (sent < size) {
        sent += MB;
        if (!req.write(chunk)) return void req.once("drain", write);
      }
      req.end();
    };
    write();
  });
}

test("a 200 MB unauthenticated POST to the plugin route and the ingest API: refused, memory within +64 MB", async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto("/login"); // warm: the routes below are compiled and loaded before the baseline
  const plugin = "/api/wix/5e3d0b1a-0000-4000-8000-000000000002/v1/charges";
  await streamPost(plugin, MB, { "content-type": "text/plain" });
  await streamPost("/api/v1/events", MB, { "content-type": "application/json" });
  const baseline = rss();
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, rss())), 100);
  const size = 200 * MB;
  const results = {
    pluginChunked: await streamPost(plugin, size, { "content-type": "text/plain" }),
    pluginDeclared: await streamPost(plugin, size, { "content-type": "text/plain", "content-length": String(size) }),
    ingestChunked: await streamPost("/api/v1/events", size, { "content-type": "application/json" }),
    ingestDeclared: await streamPost("/api/v1/events", size, { "content-type": "application/json", "content-length": String(size) }),
  };
  clearInterval(sampler);
  peak = Math.max(peak, rss());
  console.log(
    `web RSS: ${(baseline / MB).toFixed(0)} MB before, peak ${(peak / MB).toFixed(0)} MB (+${((peak - baseline) / MB).toFixed(1)} MB); answers ${JSON.stringify(results)}`,
  );
  // Answered 413 (plugin: the body is its credential) and 401 (ingest: the key is checked first); 0 if the server hung up first.
  expect([413, 0]).toContain(results.pluginChunked);
  expect([413, 0]).toContain(results.pluginDeclared);
  expect([401, 0]).toContain(results.ingestChunked);
  expect([401, 0]).toContain(results.ingestDeclared);
  expect(peak - baseline).toBeLessThan(64 * MB);
  // And the server still answers.
  expect((await page.request.get("/login")).status()).toBe(200);
});

test("a 200 MB chunked server action body (arguments, multipart, a form without JavaScript) and a 200 MB POST to a page: 413, memory within +64 MB", async ({
  page,
  baseURL,
}) => {
  test.setTimeout(240_000);
  await page.goto("/login");
  const action = { origin: baseURL!, "next-action": `7f${"0".repeat(40)}` };
  const kinds: Record<string, Record<string, string>> = {
    arguments: { ...action, "content-type": "text/plain;charset=UTF-8" },
    multipart: { ...action, "content-type": "multipart/form-data; boundary=----WebKitFormBoundaryAbC123" },
    noJsForm: { origin: baseURL!, "content-type": "multipart/form-data; boundary=----WebKitFormBoundaryAbC123" },
    page: { "content-type": "text/plain" },
  };
  for (const headers of Object.values(kinds)) await streamPost("/settings", MB, headers); // warm
  // Each body on its own: what it adds to the web process's memory while it streams in.
  const results: Record<string, number> = {};
  const growth: Record<string, number> = {};
  for (const [kind, headers] of Object.entries(kinds)) {
    const baseline = rss();
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rss())), 50);
    results[kind] = await streamPost(kind === "page" ? "/login" : "/settings", 200 * MB, headers);
    clearInterval(sampler);
    growth[kind] = +((Math.max(peak, rss()) - baseline) / MB).toFixed(1);
  }
  console.log(`server actions, 200 MB chunked: web RSS growth in MB ${JSON.stringify(growth)}; answers ${JSON.stringify(results)}`);
  for (const [kind, status] of Object.entries(results)) expect([413, 0], kind).toContain(status);
  for (const [kind, mb] of Object.entries(growth)) expect(mb, kind).toBeLessThan(64);
  expect((await page.request.get("/login")).status()).toBe(200);
});
