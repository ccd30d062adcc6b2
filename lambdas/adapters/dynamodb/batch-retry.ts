/** Backoff for DynamoDB's partial batch answers and throttling, which the SDK's own retries may outlast. */
export interface RetryOptions {
  /** Attempts per batch before giving up (the first try included). */
  readonly maxAttempts?: number;
  /** First delay; each retry doubles it, with full jitter, up to `maxDelayMs`. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

const THROTTLING = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'LimitExceededException']);

/** True for errors that mean "slow down", not "wrong request". */
export function isThrottling(error: unknown): boolean {
  return error instanceof Error && THROTTLING.has(error.name);
}

export function backoffDelay(attempt: number, options: RetryOptions): number {
  const base = options.baseDelayMs ?? 50;
  const cap = options.maxDelayMs ?? 5_000;
  return Math.random() * Math.min(cap, base * 2 ** attempt);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `attempt` again while DynamoDB throttles it, with growing delays, up to `maxAttempts` times. */
export async function retryThrottled<T>(attempt: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 8;
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isThrottling(error) || tries >= maxAttempts) throw error;
      await sleep(backoffDelay(tries, options));
    }
  }
}

export interface ResendOptions extends RetryOptions {
  readonly maxAttempts: number;
  /** The error when items are still unprocessed after the last attempt. */
  readonly exhausted: (left: number) => Error;
  /** Throw a throttling error of the last attempt as it is, rather than `exhausted`. */
  readonly rethrowLastThrottle?: boolean;
}

/**
 * One batch call resent until DynamoDB has processed every item: `send` takes what is pending and
 * returns what DynamoDB left unprocessed (UnprocessedItems, UnprocessedKeys). A throttled call
 * counts as an attempt and is resent whole; other errors are thrown at once. Returns the calls made.
 */
export async function resendUnprocessed<T>(items: T[], send: (pending: T[]) => Promise<T[]>, options: ResendOptions): Promise<number> {
  let pending = items;
  let calls = 0;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= options.maxAttempts) throw options.exhausted(pending.length);
    if (attempt > 0) await sleep(backoffDelay(attempt, options));
    calls++;
    try {
      pending = await send(pending);
    } catch (error) {
      if (!isThrottling(error) || (options.rethrowLastThrottle && attempt + 1 >= options.maxAttempts)) throw error;
    }
  }
  return calls;
}
