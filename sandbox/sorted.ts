// Binary search over an array sorted so that `reached` is false for a prefix and true after it.

/** Index of the first item for which `reached` holds (items.length if none). */
export function firstIndex<T>(items: readonly T[], reached: (item: T) => boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (reached(items[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
