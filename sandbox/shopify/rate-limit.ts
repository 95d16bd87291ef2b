// Per-app sliding window over the sandbox clock: at most `limit` accepted requests in any
// 1-second window. On a frozen clock every request falls in the same instant, which makes
// the 500/s limit exact and testable; on a running clock it is plain real time.
export function admitRequest(windows: Map<string, number[]>, key: string, nowMs: number, limit: number, windowMs = 1000): boolean {
  const times = (windows.get(key) ?? []).filter((t) => t > nowMs - windowMs && t <= nowMs);
  windows.set(key, times);
  if (times.length >= limit) return false;
  times.push(nowMs);
  return true;
}
