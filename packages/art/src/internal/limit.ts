/**
 * A concurrency gate: at most `max` tasks run at once, the rest wait in arrival order. Ten lines do not
 * justify an ESM-only dependency in a package that also ships CommonJS.
 */
export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

export function createLimit(max: number): Limit {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency must be a positive integer, got ${max}`);
  let running = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  return async (task) => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}
