export interface Repeating {
  /** No further runs; resolves once a run in progress has finished. */
  stop(): Promise<void>;
}

/**
 * Runs `task` every `intervalMs`, never two at once (the next run is timed from the end of the
 * last, as a schedule whose runs hold a lease would behave). A failure is reported and the timer
 * goes on.
 */
export function repeatEvery(intervalMs: number, task: () => Promise<void>, onError: (error: unknown) => void, options: { readonly now?: boolean } = {}): Repeating {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const tick = (): void => {
    timer = undefined;
    if (stopped) return;
    running = task()
      .catch((error: unknown) => {
        try {
          onError(error);
        } catch {
          // A failing reporter must not stop the timer.
        }
      })
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, options.now ? 0 : intervalMs);
  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
