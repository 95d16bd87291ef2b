/**
 * What every benchmark prints and how it ends: the machine it ran on, each figure beside its
 * goal, each correctness check, and an exit code that says whether all of them held. A
 * benchmark that cannot measure (its server never started, a query failed) stops with the
 * reason and exit code 2; one whose figure misses its goal or whose check fails exits 1.
 *
 * `--smoke` (small counts, for CI) keeps every correctness check but reports speed goals
 * without enforcing them: a CI machine's speed is not the product's.
 */
import os from "node:os";
import pg from "pg";

export const smoke = process.argv.includes("--smoke");

type Line = { label: string; value: string; goal: string; ok: boolean | null };

export class BenchReport {
  private readonly lines: Line[] = [];

  constructor(readonly name: string) {}

  /** The machine: cores, CPU, memory, Node, and Postgres' version when a URL is given. */
  async machine(databaseUrl?: string): Promise<void> {
    const cpus = os.cpus();
    let postgres = "";
    if (databaseUrl) {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
      await client.end();
      postgres = `, PostgreSQL ${rows[0]?.v ?? "?"}`;
    }
    const memory = `${Math.round(os.totalmem() / 2 ** 30)} GiB`;
    console.log(`${this.name}${smoke ? " (smoke: small counts, speed goals not enforced)" : ""}`);
    console.log(`machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? "?"}), ${memory}, Node ${process.version}${postgres}\n`);
  }

  /** A speed figure beside its goal; enforced unless --smoke. */
  figure(label: string, value: string, goal: string, met: boolean): void {
    this.add({ label, value, goal, ok: smoke ? null : met });
  }

  /** A correctness check: enforced always (smoke included). */
  check(label: string, value: string, goal: string, holds: boolean): void {
    this.add({ label, value, goal, ok: holds });
  }

  /** A figure with no goal. */
  info(label: string, value: string): void {
    this.add({ label, value, goal: "", ok: null });
  }

  private add(line: Line): void {
    this.lines.push(line);
    const mark = line.ok === null ? "    " : line.ok ? "ok  " : "MISS";
    console.log(`${mark} ${line.label.padEnd(56)} ${line.value}${line.goal ? `   (goal: ${line.goal})` : ""}`);
  }

  /** Prints the verdict and exits: 0 when every enforced figure and check held, else 1. */
  finish(): never {
    const missed = this.lines.filter((l) => l.ok === false);
    if (missed.length) {
      console.log(
        `\n${this.name}: FAILED, ${missed.length} of ${this.lines.filter((l) => l.ok !== null).length} goals missed: ${missed.map((l) => l.label).join("; ")}`,
      );
      process.exit(1);
    }
    console.log(`\n${this.name}: every enforced goal met`);
    process.exit(0);
  }
}

/** Stops a benchmark that cannot measure, with the reason. */
export function cannotMeasure(reason: string): never {
  console.error(`benchmark stopped: ${reason}`);
  process.exit(2);
}

/** Waits for `url` to answer 2xx; stops the benchmark naming `what` when it never does. */
export async function waitForHttp(url: string, what: string, timeoutMs = 60_000, exited?: () => boolean): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < until) {
    if (exited?.()) cannotMeasure(`${what} exited before it answered ${url}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  cannotMeasure(`${what} did not answer ${url} within ${timeoutMs / 1000} s (${last})`);
}

/** Any error a benchmark did not expect stops it with the reason (exit 2), never a silent 0. */
export function stopOnUnexpectedErrors(): void {
  const stop = (err: unknown) => cannotMeasure(err instanceof Error ? `${err.message}\n${err.stack ?? ""}` : String(err));
  process.on("uncaughtException", stop);
  process.on("unhandledRejection", stop);
}
