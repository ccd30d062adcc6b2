import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { isMissing, readFileCapped, TEMP_PREFIX, writeFileAtomic } from '../../adapters/filesystem/atomic-file.ts';
import { CustomsError, messageOf } from '../../core/errors.ts';
import type { Clock } from '../../core/ports.ts';
import { mapLimit } from '../../core/util/map-limit.ts';
import { inFlightName, newMessageId, newToken, NO_DEDUP, parseInFlightName, parseReadyName, readyName, type ReadyName } from './queue-names.ts';

export { consume, type ConsumeOptions } from './consume.ts';

/**
 * The local stack's SQS: one JSON file per message under a data directory, its state in its file
 * name (see queue-names.ts), so it survives Ctrl-C and crashes. Every change of state is one
 * rename, and a receive claims a message by renaming it, which only one caller can do: several
 * FileQueue objects (or processes) on one directory never hand out the same receive twice. At least
 * once, like SQS: a message whose visibility ends before it is acknowledged is received again.
 */
export interface QueueMessage<T> {
  readonly id: string;
  readonly body: T;
  /** Receives so far, this one included: counted in the file name, so a crash does not reset it. */
  readonly receiveCount: number;
  /** Names this receive; ack and retry with an older receipt (its visibility ended) do nothing. */
  readonly receipt: string;
}

export interface FileQueueOptions<T> {
  readonly dir: string;
  /** Checks each body on send and again on receive (what a file holds is not trusted). */
  readonly schema: z.ZodType<T>;
  /** Receives before a message goes to dead/ instead of back to the queue. Default 5. */
  readonly maxReceives?: number;
  readonly clock?: Clock;
}

export interface QueueDepth {
  /** Visible now (ready, or in flight with its visibility ended). */
  readonly ready: number;
  readonly inFlight: number;
  /** Sent or retried with a delay not yet over. */
  readonly delayed: number;
  readonly dead: number;
}

export interface DeadLetter {
  /** The message id, or `stray-…` for a file the queue did not write. */
  readonly id: string;
  readonly reason: string;
  readonly receiveCount?: number;
  readonly at?: string;
}

/** A message file is small; anything bigger was not written by this queue. */
const MAX_MESSAGE_BYTES = 1024 * 1024;
const WRITE_CONCURRENCY = 8;

const envelopeSchema = z.object({ version: z.literal(1), id: z.string(), sentAt: z.string(), body: z.unknown() });
const deadReasonSchema = z.object({ reason: z.string(), receiveCount: z.number().int().optional(), at: z.string().optional() });

export class FileQueue<T> {
  private readonly readyDir: string;
  private readonly inFlightDir: string;
  private readonly deadDir: string;
  private readonly schema: z.ZodType<T>;
  private readonly maxReceives: number;
  private readonly clock: Clock;
  private readonly created: Promise<void>;

  constructor(options: FileQueueOptions<T>) {
    const dir = resolve(options.dir);
    this.readyDir = join(dir, 'ready');
    this.inFlightDir = join(dir, 'inflight');
    this.deadDir = join(dir, 'dead');
    this.schema = options.schema;
    this.maxReceives = options.maxReceives ?? 5;
    if (!Number.isInteger(this.maxReceives) || this.maxReceives < 1) throw new CustomsError('usage', `maxReceives must be a positive integer, not ${this.maxReceives}`);
    this.clock = options.clock ?? { now: () => new Date() };
    this.created = Promise.all([this.readyDir, this.inFlightDir, this.deadDir].map((path) => mkdir(path, { recursive: true }))).then(() => undefined);
    // Awaited by every operation; this only keeps an early failure from being unhandled meanwhile.
    this.created.catch(() => undefined);
  }

  /**
   * Queues bodies in order. With `dedupId`, a body whose id is already waiting (ready or delayed,
   * not yet received) is skipped, as is a repeat within the batch. Dedup is exact among the
   * FileQueue objects of one process and best effort across processes (it saves work; delivery is
   * at least once anyway).
   */
  async send(bodies: readonly T[], options: { delayMs?: number; dedupId?: (body: T) => string } = {}): Promise<void> {
    await this.created;
    const delayMs = options.delayMs ?? 0;
    checkDuration(delayMs, 'delayMs');
    // Serialised and checked before anything is written, so a body that would not survive the
    // round trip fails its sender instead of dead-lettering later.
    const encoded = bodies.map((body) => {
      const json = JSON.stringify(body);
      const parsed = json === undefined ? undefined : this.schema.safeParse(JSON.parse(json));
      if (!parsed?.success) throw new CustomsError('malformed', `queue message does not match its schema: ${parsed ? issueOf(parsed.error) : 'not JSON'}`);
      return { json, dedup: options.dedupId ? dedupHash(options.dedupId(body)) : NO_DEDUP };
    });
    const write = async (items: readonly { json: string; dedup: string }[]): Promise<void> => {
      const now = this.clock.now();
      const at = now.getTime() + delayMs;
      const named = items.map((item) => ({ ...item, id: newMessageId(now) }));
      await mapLimit(named, WRITE_CONCURRENCY, async ({ json, dedup, id }) => {
        const content = `{"version":1,"id":"${id}","sentAt":"${now.toISOString()}","body":${json}}`;
        if (Buffer.byteLength(content) > MAX_MESSAGE_BYTES) throw new CustomsError('limit', `queue message ${id} is over ${MAX_MESSAGE_BYTES} bytes`);
        await writeFileAtomic(join(this.readyDir, readyName({ id, count: 0, at, dedup })), content);
      });
    };
    if (!options.dedupId) return write(encoded);
    await withLock(this.readyDir, async () => {
      const waiting = new Set((await this.list(this.readyDir)).flatMap((file) => parseReadyName(file)?.dedup ?? []));
      const fresh = encoded.filter((item) => {
        if (waiting.has(item.dedup)) return false;
        waiting.add(item.dedup);
        return true;
      });
      await write(fresh);
    });
  }

  /**
   * Up to `max` visible messages, oldest first, each hidden for `visibilityMs`. A message received
   * `maxReceives` times without an ack (its handler kept crashing) goes to dead/ instead, as does
   * one whose file does not parse or whose body fails the schema; neither fails the receive.
   */
  async receive(max: number, visibilityMs: number): Promise<QueueMessage<T>[]> {
    if (!Number.isInteger(max) || max < 0) throw new CustomsError('usage', `receive max must be a non-negative integer, not ${max}`);
    checkDuration(visibilityMs, 'visibilityMs');
    await this.created;
    const now = this.clock.now().getTime();
    const candidates: { path: string; name: ReadyName }[] = [];
    const strays: { path: string; file: string }[] = [];
    for (const [dir, parse] of [
      [this.readyDir, parseReadyName],
      [this.inFlightDir, parseInFlightName],
    ] as const) {
      for (const file of await this.list(dir)) {
        const name = parse(file);
        if (!name) strays.push({ path: join(dir, file), file });
        else if (name.at <= now) candidates.push({ path: join(dir, file), name });
      }
    }
    for (const stray of strays) await this.bury(stray.path, `stray-${newToken()}`, `file name ${JSON.stringify(stray.file.slice(0, 200))} is not a queue message's`);
    candidates.sort((a, b) => (a.name.id < b.name.id ? -1 : a.name.id > b.name.id ? 1 : 0));
    const messages: QueueMessage<T>[] = [];
    for (const candidate of candidates) {
      if (messages.length >= max) break;
      const message = await this.claim(candidate.path, candidate.name, now + visibilityMs);
      if (message) messages.push(message);
    }
    return messages;
  }

  /** Done with it: removed. A receipt whose visibility ended and was received again does nothing. */
  async ack(message: QueueMessage<T>): Promise<void> {
    const file = receiptFile(message);
    await unlink(join(this.inFlightDir, file)).catch(ignoreMissing);
  }

  /** Visible again after `delayMs`, or to dead/ once it has been received `maxReceives` times. */
  async retry(message: QueueMessage<T>, delayMs: number): Promise<void> {
    checkDuration(delayMs, 'delayMs');
    const file = receiptFile(message);
    const name = parseInFlightName(file)!;
    const path = join(this.inFlightDir, file);
    if (name.count >= this.maxReceives) {
      await this.bury(path, name.id, `failed on each of ${name.count} receives`, name.count);
      return;
    }
    const at = this.clock.now().getTime() + delayMs;
    await rename(path, join(this.readyDir, readyName({ id: name.id, count: name.count, at, dedup: name.dedup }))).catch(ignoreMissing);
  }

  async depth(): Promise<QueueDepth> {
    await this.created;
    const now = this.clock.now().getTime();
    let ready = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const file of await this.list(this.readyDir)) {
      const at = parseReadyName(file)?.at ?? 0;
      if (at > now) delayed++;
      else ready++;
    }
    for (const file of await this.list(this.inFlightDir)) {
      const at = parseInFlightName(file)?.at ?? 0;
      if (at > now) inFlight++;
      else ready++;
    }
    return { ready, inFlight, delayed, dead: (await this.deadIds()).length };
  }

  /** What dead/ holds and why, in id order. */
  async deadLetters(): Promise<DeadLetter[]> {
    await this.created;
    const letters: DeadLetter[] = [];
    for (const id of await this.deadIds()) {
      const bytes = await readFileCapped(join(this.deadDir, `${id}.reason.json`), MAX_MESSAGE_BYTES, 'dead letter reason').catch(() => undefined);
      const parsed = bytes ? deadReasonSchema.safeParse(jsonOrUndefined(bytes.toString('utf8'))) : undefined;
      letters.push(parsed?.success ? { id, ...parsed.data } : { id, reason: 'no reason recorded' });
    }
    return letters;
  }

  /** Takes the message by renaming it to a new receipt, then reads and checks it. */
  private async claim(path: string, name: ReadyName, until: number): Promise<QueueMessage<T> | undefined> {
    const receipt = inFlightName({ ...name, count: name.count + 1, at: until, token: newToken() });
    const claimed = join(this.inFlightDir, receipt);
    try {
      await rename(path, claimed);
    } catch (error) {
      if (isMissing(error)) return undefined; // another receiver took it first
      throw error;
    }
    if (name.count >= this.maxReceives) {
      await this.bury(claimed, name.id, `received ${name.count} times without an ack (its handler may have crashed each time)`, name.count);
      return undefined;
    }
    let body: T;
    try {
      const bytes = await readFileCapped(claimed, MAX_MESSAGE_BYTES, `queue message ${name.id}`);
      if (!bytes) return undefined;
      const envelope = envelopeSchema.safeParse(safeJson(bytes.toString('utf8')));
      if (!envelope.success) throw new Error(`not a queue message file: ${issueOf(envelope.error)}`);
      if (envelope.data.id !== name.id) throw new Error(`file holds message ${JSON.stringify(envelope.data.id.slice(0, 64))}`);
      const parsed = this.schema.safeParse(envelope.data.body);
      if (!parsed.success) throw new Error(`body does not match the schema: ${issueOf(parsed.error)}`);
      body = parsed.data;
    } catch (error) {
      await this.bury(claimed, name.id, messageOf(error), name.count + 1);
      return undefined;
    }
    return { id: name.id, body, receiveCount: name.count + 1, receipt };
  }

  /** Moves a file we hold to dead/, then records why (a crash between leaves it dead without a reason). */
  private async bury(path: string, id: string, reason: string, receiveCount?: number): Promise<void> {
    try {
      await rename(path, join(this.deadDir, `${id}.json`));
    } catch (error) {
      if (isMissing(error)) return; // a stale receipt, or another receiver buried it first
      throw error;
    }
    const record = { reason, ...(receiveCount === undefined ? {} : { receiveCount }), at: this.clock.now().toISOString() };
    await writeFileAtomic(join(this.deadDir, `${id}.reason.json`), JSON.stringify(record));
  }

  private async deadIds(): Promise<string[]> {
    return (await this.list(this.deadDir))
      .filter((file) => file.endsWith('.json') && !file.endsWith('.reason.json'))
      .map((file) => file.slice(0, -'.json'.length))
      .sort();
  }

  /** A directory's entries, passing over a crashed write's temporary files. */
  private async list(dir: string): Promise<string[]> {
    return (await readdir(dir)).filter((file) => !file.startsWith(TEMP_PREFIX));
  }
}

function receiptFile(message: QueueMessage<unknown>): string {
  if (!parseInFlightName(message.receipt)) throw new CustomsError('usage', `not a receipt of this queue: ${JSON.stringify(message.receipt.slice(0, 100))}`);
  return message.receipt;
}

function dedupHash(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 32);
}

function checkDuration(ms: number, what: string): void {
  if (!Number.isFinite(ms) || ms < 0) throw new CustomsError('usage', `${what} must be a non-negative number of milliseconds, not ${ms}`);
}

function issueOf(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return issue.path.length ? `${issue.message} at ${issue.path.join('.')}` : issue.message;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`not JSON: ${messageOf(error)}`, { cause: error });
  }
}

function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function ignoreMissing(error: unknown): void {
  if (!isMissing(error)) throw error;
}

/** Sends with dedup to one directory run one at a time in this process, so check-then-write holds. */
const locks = new Map<string, Promise<void>>();

async function withLock(key: string, work: () => Promise<void>): Promise<void> {
  const run = (locks.get(key) ?? Promise.resolve()).then(work);
  const tail = run.catch(() => undefined);
  locks.set(key, tail);
  try {
    await run;
  } finally {
    if (locks.get(key) === tail) locks.delete(key);
  }
}
