import { firstIndex } from "../sorted";

// Per-app sliding window over the sandbox clock: at most `limit` accepted requests in any
// 1-second window of arrival times. On a frozen clock every request falls in the same instant,
// which makes the 500/s limit exact and testable; on a running clock it is plain real time.
// Arrivals can be handled slightly out of order (one request's body still being read while a
// later one is answered), so a new arrival is checked against every window that contains it.
export function admitRequest(windows: Map<string, number[]>, key: string, nowMs: number, limit: number, windowMs = 1000): boolean {
  // Admitted arrival times, ascending; older ones can no longer share a window with a new arrival.
  const times = (windows.get(key) ?? []).filter((t) => t > nowMs - 2 * windowMs);
  windows.set(key, times);
  const at = firstIndex(times, (t) => t > nowMs);
  // Every window [start, start + windowMs) holding nowMs starts at an admitted time in
  // (nowMs - windowMs, nowMs] or at nowMs itself; count each with the new arrival in it.
  let end = at;
  for (let s = firstIndex(times, (t) => t > nowMs - windowMs); s <= at; s++) {
    const start = s < at ? times[s]! : nowMs;
    while (end < times.length && times[end]! < start + windowMs) end++;
    if (end - s + 1 > limit) return false;
  }
  times.splice(at, 0, nowMs);
  return true;
}
