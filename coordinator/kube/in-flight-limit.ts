/**
 * At most `max` calls running at once; the others wait their turn, in order. A call running needs a connection
 * of its own (idle ones are reused, see api-client.ts), so a burst of calls is a burst of connections: when every
 * agent of a large cluster registers at once, unbounded TokenReviews held thousands of connections and their
 * buffers in the coordinator together. A waiting call holds only its closure.
 */
export function inFlightLimit(max: number): <T>(call: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queue: (() => void)[] = [];
  const release = (): void => {
    running -= 1;
    queue.shift()?.();
  };
  return async <T>(call: () => Promise<T>): Promise<T> => {
    if (running >= max) await new Promise<void>((resolve) => queue.push(resolve));
    running += 1;
    try {
      return await call();
    } finally {
      release();
    }
  };
}
