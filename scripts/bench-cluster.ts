/**
 * A Postgres cluster of the benchmark's own, in a temporary folder on a free port, that it may
 * restart as often as it likes (cold-cache figures) and removes when done. The machine's shared
 * server (127.0.0.1:5432) is never restarted. Uses the machine's PostgreSQL binaries
 * (BENCH_PG_BIN, else the newest /usr/lib/postgresql/<version>/bin); run as root, the cluster
 * belongs to the `postgres` user.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { cannotMeasure } from "./bench-report";

function binDir(): string {
  if (process.env.BENCH_PG_BIN) return process.env.BENCH_PG_BIN;
  const root = "/usr/lib/postgresql";
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, "bin", "pg_ctl"))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) cannotMeasure("no PostgreSQL binaries for a cluster of the benchmark's own (set BENCH_PG_BIN)");
  return path.join(root, newest, "bin");
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });

export async function startTempCluster(settings: Record<string, string> = {}) {
  const bin = binDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pbd-bench-pg-"));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) spawnSync("chown", ["postgres:postgres", dir]);
  const run = (tool: string, args: string[]) => {
    const cmd = asRoot ? "runuser" : path.join(bin, tool);
    const r = spawnSync(cmd, asRoot ? ["-u", "postgres", "--", path.join(bin, tool), ...args] : args, { encoding: "utf8", cwd: dir });
    if (r.status !== 0)
      cannotMeasure(`${tool} ${args[0] ?? ""} for the benchmark's own cluster failed: ${(r.stderr || r.stdout || String(r.error)).trim().slice(0, 400)}`);
  };
  const port = await freePort();
  run("initdb", ["-D", path.join(dir, "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]);
  const options = [
    "-p",
    String(port),
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    `unix_socket_directories=${dir}`,
    ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
  ].join(" ");
  const ctl = (action: string) =>
    run("pg_ctl", [action, "-D", path.join(dir, "data"), "-l", path.join(dir, "log"), "-w", "-t", "120", "-m", "fast", "-o", options]);
  ctl("start");
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    spawnSync(asRoot ? "runuser" : path.join(bin, "pg_ctl"), [
      ...(asRoot ? ["-u", "postgres", "--", path.join(bin, "pg_ctl")] : []),
      "stop",
      "-D",
      path.join(dir, "data"),
      "-m",
      "immediate",
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", stop);
  return {
    adminUrl: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    /** Stops and starts the server: its shared buffers start empty (the OS file cache stays warm). */
    restart: () => ctl("restart"),
    stop,
  };
}
