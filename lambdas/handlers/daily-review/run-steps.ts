import { messageOf } from '../../core/errors.ts';
import type { Deadline } from './deadline.ts';

export type StepName = 'backfill' | 'review' | 'reindex' | 'retention' | 'counts';

export interface DailyStep<R> {
  readonly name: StepName;
  run(deadline: Deadline): Promise<R>;
}

/** A step that finished part of its work and failed the rest: what it did is still reported. */
export class PartialStepFailure<R> extends Error {
  override readonly name = 'PartialStepFailure';

  constructor(
    message: string,
    readonly result: R,
  ) {
    super(message);
  }
}

export type StepOutcome<R = unknown> =
  | { readonly name: StepName; readonly status: 'done'; readonly durationMs: number; readonly result: R }
  | { readonly name: StepName; readonly status: 'failed'; readonly durationMs: number; readonly error: string; readonly result?: R }
  /** Not started: the deadline had passed. */
  | { readonly name: StepName; readonly status: 'left' };

/**
 * Runs the steps one after the other, each isolated: one that throws is recorded and the next still
 * runs (every step is idempotent, so the retry of a failed invocation redoes only what is still due).
 * A step is not started once the deadline has passed; it is reported as left.
 */
export async function runSteps(steps: readonly DailyStep<unknown>[], deadline: Deadline, now: () => number = Date.now): Promise<StepOutcome[]> {
  const outcomes: StepOutcome[] = [];
  for (const step of steps) {
    if (deadline.expired()) {
      outcomes.push({ name: step.name, status: 'left' });
      continue;
    }
    const started = now();
    try {
      const result = await step.run(deadline);
      outcomes.push({ name: step.name, status: 'done', durationMs: now() - started, result });
    } catch (error) {
      const partial = error instanceof PartialStepFailure ? { result: (error as PartialStepFailure<unknown>).result } : {};
      outcomes.push({ name: step.name, status: 'failed', durationMs: now() - started, error: messageOf(error).slice(0, 1000), ...partial });
    }
  }
  return outcomes;
}
