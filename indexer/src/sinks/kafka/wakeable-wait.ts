/**
 * The relay's idle wait: new rows cut it short (a wake before the wait
 * starts counts too), a back-off after a failure only ends early on stop.
 */
export interface WakeableWait {
  /** Waits `ms`; a wake ends it early unless `wakeable` is false (then only stopping does). */
  pause(ms: number, wakeable?: boolean): Promise<void>;
  /** New rows: end a wakeable wait now, or the next one at once. */
  wake(): void;
  /** Stopping: end any wait now. */
  wakeForStop(): void;
  /** The pending wake was acted on. */
  clearWake(): void;
}

export function createWakeableWait(stopping: () => boolean): WakeableWait {
  let wakeUp: (() => void) | undefined;
  let pendingWake = false;
  return {
    pause: (ms, wakeable = true) =>
      new Promise<void>((resolve) => {
        if ((wakeable && pendingWake) || stopping()) return resolve();
        const t = setTimeout(() => {
          wakeUp = undefined;
          resolve();
        }, ms);
        wakeUp = () => {
          if (!wakeable && !stopping()) return;
          clearTimeout(t);
          wakeUp = undefined;
          resolve();
        };
      }),
    wake() {
      pendingWake = true;
      wakeUp?.();
    },
    wakeForStop() {
      wakeUp?.();
    },
    clearWake() {
      pendingWake = false;
    },
  };
}
