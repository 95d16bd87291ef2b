// Loads the state file at start and writes it (debounced, atomically via rename) after changes.
import fs from "node:fs";
import path from "node:path";
import { STATE_VERSION, type State } from "./state";

/** Holds the state and writes it to `file` (null: memory only) shortly after each change. */
export class StateFile {
  private timer: NodeJS.Timeout | null = null;

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
    if (!this.file || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.write(get());
    }, 200);
  }

  flush(state: State): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.write(state);
  }

  private write(state: State): void {
    if (!this.file) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(state));
    fs.renameSync(tmp, this.file);
  }
}
