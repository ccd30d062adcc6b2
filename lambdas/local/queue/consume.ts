import type { FileQueue, QueueMessage } from './file-queue.ts';

export interface ConsumeOptions<T> {
  /** Handlers running at once. */
  readonly concurrency: number;
  readonly visibilityMs: number;
  /** How long to wait before asking again when the queue had nothing (a finished handler asks sooner). */
  readonly pollMs: number;
  /** The delay before a failed message is visible again, by its receive count (1 after the first failure). */
  readonly retryDelayMs: (receiveCount: number) => number;
  readonly signal: AbortSignal;
  /** A handler failed (the message is retried), or an ack or retry did. */
  readonly onError?: (error: unknown, message: QueueMessage<T>) => void;
  /** A receive failed (the directory went away, say); the loop asks again after `pollMs`. */
  readonly onReceiveError?: (error: unknown) => void;
}

/**
 * Runs `handle` on each message as a Lambda's event source mapping would: acked when it resolves,
 * retried after `retryDelayMs` when it throws (dead after the queue's maxReceives). Resolves once the
 * signal is aborted and the handlers in flight have finished; messages received but not finished
 * by a killed process come back when their visibility ends.
 */
export async function consume<T>(queue: FileQueue<T>, handle: (body: T, message: QueueMessage<T>) => Promise<void>, options: ConsumeOptions<T>): Promise<void> {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new Error(`concurrency must be a positive integer, not ${options.concurrency}`);
  const { signal } = options;
  const active = new Set<Promise<void>>();
  const report = (error: unknown, message: QueueMessage<T>): void => {
    try {
      options.onError?.(error, message);
    } catch {
      // A failing reporter must not stop the consumer.
    }
  };
  // Wakes the idle wait early: a handler finished (a slot is free) or the signal was aborted.
  let nudged = false;
  let wake: (() => void) | undefined;
  const nudge = (): void => {
    nudged = true;
    wake?.();
  };
  const idle = (ms: number): Promise<void> =>
    new Promise((resolveIdle) => {
      if (nudged || signal.aborted) {
        nudged = false;
        resolveIdle();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        wake = undefined;
        nudged = false;
        resolveIdle();
      };
      const timer = setTimeout(done, ms);
      wake = done;
    });

  const run = async (message: QueueMessage<T>): Promise<void> => {
    try {
      await handle(message.body, message);
    } catch (error) {
      report(error, message);
      try {
        await queue.retry(message, options.retryDelayMs(message.receiveCount));
      } catch (retryError) {
        report(retryError, message); // it comes back when its visibility ends
      }
      return;
    }
    try {
      await queue.ack(message);
    } catch (error) {
      report(error, message); // it comes back when its visibility ends, and is handled again
    }
  };

  signal.addEventListener('abort', nudge, { once: true });
  try {
    while (!signal.aborted) {
      const free = options.concurrency - active.size;
      let received: QueueMessage<T>[] = [];
      if (free > 0) {
        try {
          received = await queue.receive(free, options.visibilityMs);
        } catch (error) {
          try {
            options.onReceiveError?.(error);
          } catch {
            // As for onError.
          }
        }
      }
      // Handled even when the signal came during the receive: they are ours until their visibility ends.
      for (const message of received) {
        const running: Promise<void> = run(message).finally(() => {
          active.delete(running);
          nudge();
        });
        active.add(running);
      }
      if (received.length === 0 || active.size >= options.concurrency) await idle(options.pollMs);
    }
    await Promise.all(active);
  } finally {
    signal.removeEventListener('abort', nudge);
  }
}
