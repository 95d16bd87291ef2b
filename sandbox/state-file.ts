// Loads the state file at start and writes it (debounced, atomically via rename) after changes.
import fs from "node:fs";
import path from "node:path";
import { STATE_VERSION, type State } from "./state";

/**
 * Holds the state and writes it to `file` (null: memory only) at most once a second while it
 * changes, and at once on flush (shutdown, reset). The file write runs off the event loop: only
 * the serialisation stops request handling, so a sandbox under its full 500 requests/second does
 * not stall every few hundred milliseconds (a stall bunches requests and trips its own rate limit).
 */
const SAVE_INTERVAL_MS = 1000;
const MAX_UNSAVED_MS = 30_000;

export class StateFile {
  private timer: NodeJS.Timeout | null = null;
  private firstUnsaved: number | null = null;
  /** Bumped by every write; an asynchronous write whose generation is stale is dropped. */
  private generation = 0;

  constructor(private readonly file: string | null) {}

  load(): State | null {
    if (!this.file || !fs.existsSync(this.file)) return null;
    try {
      const parsed = JSON.parse(fs.readFileSync(this.file, "utf8")) as State;
      if (parsed.version === STATE_VERSION) return parsed;
    } catch {
      // fall through: keep the unreadable file aside and start from the fixture
    }
    fs.renameSync(this.file, `${this.file}.unreadable-${Date.now()}`);
    return null;
  }

  scheduleSave(get: () => State): void {
    if (!this.file) return;
    const now = Date.now();
    this.firstUnsaved ??= now;
    if (this.timer) clearTimeout(this.timer);
    const due = Math.min(now + SAVE_INTERVAL_MS, this.firstUnsaved + MAX_UNSAVED_MS);
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.firstUnsaved = null;
        this.writeInBackground(get());
      },
      Math.max(0, due - now),
    );
    this.timer.unref();
  }

  flush(state: State): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.firstUnsaved = null;
    if (!this.file) return;
    const tmp = this.prepare();
    fs.writeFileSync(tmp, JSON.stringify(state));
    fs.renameSync(tmp, this.file);
  }

  private writeInBackground(state: State): void {
    const file = this.file!;
    const tmp = this.prepare();
    const generation = this.generation;
    fs.promises.writeFile(tmp, JSON.stringify(state)).then(
      // The rename is synchronous, so it cannot land after a newer write's rename.
      () => (generation === this.generation ? fs.renameSync(tmp, file) : fs.rmSync(tmp, { force: true })),
      () => fs.rmSync(tmp, { force: true }),
    );
  }

  private prepare(): string {
    this.generation += 1;
    fs.mkdirSync(path.dirname(this.file!), { recursive: true });
    return `${this.file}.tmp-${process.pid}-${this.generation}`;
  }
}
