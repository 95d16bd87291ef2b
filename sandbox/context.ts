// The running sandbox: persistent state plus the in-memory bits that must not survive a
// restart (requests in flight, rate-limit windows, faults). Routers receive this object.
import { nowIso, nowMs } from "./clock";
import { buildState, keysOf } from "./fixture";
import { applySettingsPatch, type SettingsPatch } from "./settings";
import type { StateFile } from "./state-file";
import { nextSeq, type State } from "./state";
import type { Fault } from "./faults";

export type ResetOptions = { fixture?: unknown; now?: string; frozen?: boolean };

export class Sandbox {
  state: State;
  /** Idempotency keys of App Events requests still being processed (`${clientId}|${key}`). */
  readonly inFlight = new Set<string>();
  /** Accepted request times (sandbox ms) per Shopify app, for the sliding rate-limit window. */
  readonly rateWindows = new Map<string, number[]>();
  /**
   * Every authenticated App Events request per idempotency key (`${clientId}|${key}`), counted
   * on arrival: before the rate limit and the replay cache, so a resend that the cache answers
   * still shows as a second request. Diagnostic (benchmarks, tests); not persisted.
   */
  readonly keyRequests = new Map<string, number>();
  faults: Fault[] = [];
  /** Timers of webhook deliveries waiting to be (re)sent; cleared on reset and close. */
  readonly timers = new Set<NodeJS.Timeout>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly file: StateFile,
    private readonly defaultFixture: () => unknown,
    private readonly overrides: SettingsPatch,
  ) {
    const loaded = file.load();
    // A state file written before the Partner API history existed starts it empty.
    if (loaded) loaded.shopify.partnerEvents ??= [];
    if (loaded) loaded.shopify.oneTimePurchases ??= [];
    this.state = this.applyOverrides(loaded ?? buildState(defaultFixture()));
    this.file.flush(this.state);
  }

  now(): number {
    return nowMs(this.state.clock);
  }

  nowIso(): string {
    return nowIso(this.state.clock);
  }

  seq(): number {
    return nextSeq(this.state);
  }

  /** Call after any change; the state file is written shortly after. */
  changed(): void {
    this.file.scheduleSave(() => this.state);
  }

  flush(): void {
    this.file.flush(this.state);
  }

  /** Replaces all state with the fixture (default: the startup fixture). Keys are kept. */
  reset(opts: ResetOptions = {}): void {
    const fixture = opts.fixture ?? this.defaultFixture();
    this.state = this.applyOverrides(buildState(fixture, { now: opts.now, frozen: opts.frozen, previousKeys: keysOf(this.state) }));
    this.inFlight.clear();
    this.rateWindows.clear();
    this.keyRequests.clear();
    this.faults = [];
    this.clearTimers();
    this.flush();
  }

  /** Runs `fn` after any earlier work queued under the same key (e.g. one Wix instance's billing). */
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    this.locks.set(
      key,
      next.catch(() => undefined),
    );
    return next;
  }

  clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private applyOverrides(state: State): State {
    // State files written before webhooks existed.
    state.wix.webhooks ??= [];
    for (const app of state.wix.apps) app.webhookUrl ??= null;
    state.settings = applySettingsPatch(state.settings, this.overrides);
    return state;
  }
}
