/**
 * The waits of a polling worker: each ends after its time, or at once when the
 * worker is stopped or told of new work (`wakeAll`). With `unref`, a waiting
 * timer alone does not keep the process alive.
 */
export interface Sleeper {
  sleep(ms: number): Promise<void>;
  /** Ends every wait in progress. */
  wakeAll(): void;
}

export function createSleeper(opts: { unref?: boolean } = {}): Sleeper {
  const waiting = new Set<() => void>();
  return {
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(done, ms);
        if (opts.unref) t.unref();
        function done() {
          clearTimeout(t);
          waiting.delete(done);
          resolve();
        }
        waiting.add(done);
      }),
    wakeAll() {
      for (const done of [...waiting]) done();
    },
  };
}
