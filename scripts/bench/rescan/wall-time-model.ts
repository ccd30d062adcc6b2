/**
 * The wall time of a rescan in AWS, projected from measured per-message work with the documented
 * limits of the trigger and the table:
 * - Lambda's SQS event source (standard queue) starts with five concurrent batches and adds up to
 *   300 instances a minute, to at most 1,000 batches at once, capped by the mapping's maximum
 *   concurrency (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html).
 * - A new on-demand table sustains up to 4,000 writes and 12,000 reads a second at first, and any
 *   one partition 1,000 write and 3,000 read units a second
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html,
 *   .../warm-throughput-scenarios.html). The fan-out's marks all go to one partition (`RESCAN#<syncId>`).
 * - Lambda gives a function CPU in proportion to its memory, one vCPU at 1,769 MB
 *   (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html), so CPU measured on one
 *   full core takes 1,769 / memory times as long there.
 */
export const ESM_INITIAL_CONCURRENCY = 5;
export const ESM_SCALE_PER_MINUTE = 300;
export const ESM_MAX_CONCURRENCY = 1_000;
export const NEW_TABLE_WRITES_PER_SECOND = 4_000;
export const NEW_TABLE_READS_PER_SECOND = 12_000;
export const PARTITION_WRITES_PER_SECOND = 1_000;
export const MEMORY_PER_VCPU_MB = 1_769;

/** One invocation's measured work, and what it asks of the table. */
export interface MessageWork {
  /** CPU time on one full core. */
  readonly cpuMs: number;
  /** Wall time minus CPU time: waiting on the services (local stand-ins, assumed as slow as AWS). */
  readonly waitMs: number;
  readonly writeUnits: number;
  readonly readUnits: number;
}

/** Duration in Lambda at `memoryMb`: the CPU stretched to the memory's share of a vCPU, plus the waits. */
export function lambdaDurationMs(work: Pick<MessageWork, 'cpuMs' | 'waitMs'>, memoryMb: number): number {
  return work.cpuMs * Math.max(1, MEMORY_PER_VCPU_MB / memoryMb) + work.waitMs;
}

export interface Projection {
  readonly seconds: number;
  /** Of seconds: the fan-out (its own duration, or its marks' partition limit when longer). */
  readonly fanOutSeconds: number;
  /** Most invocations running at once. */
  readonly peakConcurrency: number;
  /** Most write units a second the rescans asked of the table, and whether the new table's limit stretched them. */
  readonly peakWritesPerSecond: number;
  readonly tableLimited: boolean;
}

export interface ProjectionInput {
  readonly messages: number;
  /** One message's duration in Lambda, and its table units. */
  readonly messageMs: number;
  readonly message: Pick<MessageWork, 'writeUnits' | 'readUnits'>;
  readonly maxConcurrency: number;
  readonly fanOutMs: number;
  /** Write units of the fan-out's marks (claims, refusals and confirms): one partition's worth. */
  readonly markWriteUnits: number;
}

/**
 * Event simulation: the fan-out first (all messages are enqueued by its end), then invocations start
 * whenever a slot is free under min(maxConcurrency, the ramp at that moment); each lasts the message
 * duration, stretched when the running invocations together would write (or read) faster than a new
 * table allows.
 */
export function projectWallTime(input: ProjectionInput): Projection {
  const fanOutSeconds = Math.max(input.fanOutMs / 1000, input.markWriteUnits / PARTITION_WRITES_PER_SECOND);
  const base = input.messageMs / 1000;
  const cap = Math.min(input.maxConcurrency, ESM_MAX_CONCURRENCY);
  const ramp = (elapsed: number): number => Math.min(cap, ESM_INITIAL_CONCURRENCY + Math.floor((ESM_SCALE_PER_MINUTE * elapsed) / 60));
  let now = 0;
  let started = 0;
  let running: number[] = [];
  let peak = 0;
  let peakWrites = 0;
  let limited = false;
  while (started < input.messages || running.length > 0) {
    running = running.filter((end) => end > now + 1e-9);
    while (started < input.messages && running.length < ramp(now)) {
      const concurrent = running.length + 1;
      const asked = base > 0 ? (concurrent * input.message.writeUnits) / base : 0;
      const duration = Math.max(base, (concurrent * input.message.writeUnits) / NEW_TABLE_WRITES_PER_SECOND, (concurrent * input.message.readUnits) / NEW_TABLE_READS_PER_SECOND);
      if (duration > base) limited = true;
      peakWrites = Math.max(peakWrites, Math.min(asked, NEW_TABLE_WRITES_PER_SECOND));
      running.push(now + duration);
      started++;
    }
    peak = Math.max(peak, running.length);
    if (running.length === 0) break;
    // Next: an invocation ends, or the ramp allows one more (every 60/300 s).
    const nextEnd = Math.min(...running);
    const nextRamp = started < input.messages && ramp(now) < cap ? (Math.floor((now * ESM_SCALE_PER_MINUTE) / 60) + 1) * (60 / ESM_SCALE_PER_MINUTE) : Infinity;
    now = Math.min(nextEnd, nextRamp);
  }
  return { seconds: fanOutSeconds + now, fanOutSeconds, peakConcurrency: peak, peakWritesPerSecond: peakWrites, tableLimited: limited };
}

/** The least maximum concurrency meeting `goalSeconds`, or undefined when even 1,000 does not. */
export function concurrencyFor(goalSeconds: number, input: Omit<ProjectionInput, 'maxConcurrency'>): number | undefined {
  for (let concurrency = 2; concurrency <= ESM_MAX_CONCURRENCY; concurrency++) {
    if (projectWallTime({ ...input, maxConcurrency: concurrency }).seconds <= goalSeconds) return concurrency;
    // More than one per message cannot help.
    if (concurrency >= input.messages) return undefined;
  }
  return undefined;
}
