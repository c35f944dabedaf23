/** Median of a non-empty sample (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Smallest and largest value. */
export function range(values: readonly number[]): [number, number] {
  return [Math.min(...values), Math.max(...values)];
}

/** Seconds `fn` took, and its result. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ seconds: number; result: T }> {
  const t0 = performance.now();
  const result = await fn();
  return { seconds: (performance.now() - t0) / 1000, result };
}

/** Rejects if `promise` does not settle within `seconds`, naming `what`. */
export async function withTimeout<T>(promise: Promise<T>, seconds: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${seconds} s`)), seconds * 1000);
  });
  try {
    return await Promise.race([promise, expiry]);
  } finally {
    clearTimeout(timer);
  }
}

/** A duration for tables: seconds with 2 decimals below 10 s, 1 above. */
export function secs(s: number): string {
  return Number.isNaN(s) ? "–" : s < 10 ? `${s.toFixed(2)} s` : `${s.toFixed(1)} s`;
}

/** A ratio for tables, e.g. `1.23×`. */
export function times(r: number): string {
  return Number.isFinite(r) ? `${r.toFixed(r < 10 ? 2 : 1)}×` : "–";
}

/** KiB as MiB with one decimal. */
export function mib(kib: number): string {
  return Number.isNaN(kib) ? "–" : `${(kib / 1024).toFixed(1)} MiB`;
}
