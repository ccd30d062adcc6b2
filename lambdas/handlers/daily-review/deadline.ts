/**
 * The invocation's time, less a reserve for the report and metrics: work starts only while some is
 * left, so a run that cannot finish stops between units (a repository, a batch, an image) and says
 * what it left, rather than being killed mid-write by Lambda's timeout.
 */
export interface Deadline {
  /** Milliseconds left before the reserve. */
  remainingMs(): number;
  expired(): boolean;
}

export function deadlineOf(remainingMs: () => number, reserveMs: number): Deadline {
  return {
    remainingMs: () => Math.max(0, remainingMs() - reserveMs),
    expired: () => remainingMs() - reserveMs <= 0,
  };
}

/** A source that stops yielding once the deadline has passed; `stopped` says whether it did. */
export class UntilDeadline<T> implements AsyncIterable<T> {
  stopped = false;

  constructor(
    private readonly source: AsyncIterable<T>,
    private readonly deadline: Deadline,
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for await (const item of this.source) {
      if (this.deadline.expired()) {
        this.stopped = true;
        return;
      }
      yield item;
    }
  }
}
