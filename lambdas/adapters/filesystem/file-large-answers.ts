import { randomBytes } from 'node:crypto';
import { lstat, readdir, unlink } from 'node:fs/promises';
import { z } from 'zod';
import type { LargeAnswers } from '../../core/api/api-ports.ts';
import { sha256Of } from '../../core/digest.ts';
import { CustomsError } from '../../core/errors.ts';
import type { Clock } from '../../core/ports.ts';
import { readFileCapped, TEMP_PREFIX, writeFileAtomic } from './atomic-file.ts';
import { pathUnderRoot } from './path-under-root.ts';

export interface FileLargeAnswersOptions {
  /** Directory the store owns; answers live under `api-answers/` in it. */
  readonly root: string;
  /** The URL the local API serves an answer id at. */
  readonly urlFor: (id: string) => string;
  readonly clock: Clock;
  /** How long an answer can be fetched (default 300 s, as the S3 URLs). */
  readonly ttlMs?: number;
  /** Largest answer body stored or served (default 256 MiB). */
  readonly maxBytes?: number;
}

export interface StoredAnswer {
  readonly body: Uint8Array;
  readonly contentType: string;
}

const DIRECTORY = 'api-answers';
const DEFAULT_TTL_MS = 300_000;
const ID_BYTES = 24;
/** 24 random bytes in hex: what `publish` makes, and all `read` accepts. */
const ID_PATTERN = /^[0-9a-f]{48}$/;
/** The S3 store's rule for the API's keys: no `..`, no leading `/`. */
const KEY_PATTERN = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._:/=-]{0,511}$/;
const META_MAX_BYTES = 64 * 1024;

const metaSchema = z.strictObject({
  key: z.string(),
  contentType: z.string().min(1).max(255),
  expiresAt: z.iso.datetime(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string(),
});

/**
 * Answers too large for one response, for the local API: the body is written under an id of 24
 * random bytes (the id is the only credential, 192 bits, as a presigned URL's signature is on S3) and its URL
 * answered. `read` serves it until it expires. The body is written first and its metadata last, so
 * a crash leaves no answer; a body that no longer matches its recorded hash is refused. Expired
 * answers are deleted at most once per lifetime, on a later publish (the bucket's lifecycle rule on AWS).
 */
export class FileLargeAnswers implements LargeAnswers {
  private readonly ttlMs: number;
  private readonly maxBytes: number;
  private lastSweep = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: FileLargeAnswersOptions) {
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  }

  async publish(key: string, body: Uint8Array, contentType: string, now: Date): Promise<{ readonly url: string; readonly expiresAt: Date }> {
    if (!KEY_PATTERN.test(key)) throw new CustomsError('usage', `large answer key ${JSON.stringify(key)} is not a plain object name`);
    if (body.byteLength > this.maxBytes) throw new CustomsError('limit', `large answer ${key} is ${body.byteLength} bytes, over the ${this.maxBytes} cap`);
    await this.sweepWhenDue(now);
    const id = randomBytes(ID_BYTES).toString('hex');
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    await writeFileAtomic(this.bodyPath(id), body, { mode: 0o600 });
    const meta: z.input<typeof metaSchema> = { key, contentType, expiresAt: expiresAt.toISOString(), bytes: body.byteLength, sha256: sha256Of(body) };
    await writeFileAtomic(this.metaPath(id), JSON.stringify(meta), { mode: 0o600 });
    return { url: this.options.urlFor(id), expiresAt };
  }

  /** The answer an id names; undefined when the id is not one publish makes, is unknown, or has expired. */
  async read(id: string): Promise<StoredAnswer | undefined> {
    if (!ID_PATTERN.test(id)) return undefined;
    const meta = await this.meta(id);
    if (!meta || this.options.clock.now().getTime() >= Date.parse(meta.expiresAt)) return undefined;
    const what = `large answer ${id}`;
    const body = await readFileCapped(this.bodyPath(id), this.maxBytes, what);
    if (!body) return undefined;
    const actual = sha256Of(body);
    if (body.byteLength !== meta.bytes || actual !== meta.sha256) throw new CustomsError('digest-mismatch', `${what} hashes to ${actual}, but ${meta.sha256} was published`);
    return { body, contentType: meta.contentType };
  }

  /** Deletes every answer expired at `now`, and bodies whose metadata never landed (a crashed publish). */
  async sweep(now: Date): Promise<void> {
    let names: string[];
    try {
      names = await readdir(pathUnderRoot(this.options.root, [DIRECTORY], 'large answers'));
    } catch {
      return;
    }
    const ids = new Set(names.filter((name) => !name.startsWith(TEMP_PREFIX)).map((name) => name.replace(/\.(body|json)$/, '')).filter((id) => ID_PATTERN.test(id)));
    for (const id of ids) {
      const meta = await this.meta(id).catch(() => undefined);
      // A body without metadata may be a publish in progress: only one older than a lifetime is a leftover.
      const expired = meta ? now.getTime() >= Date.parse(meta.expiresAt) : await olderThan(this.bodyPath(id), now.getTime() - this.ttlMs);
      if (!expired) continue;
      await unlink(this.metaPath(id)).catch(() => undefined);
      await unlink(this.bodyPath(id)).catch(() => undefined);
    }
  }

  private async sweepWhenDue(now: Date): Promise<void> {
    if (now.getTime() - this.lastSweep < this.ttlMs) return;
    this.lastSweep = now.getTime();
    await this.sweep(now);
  }

  private async meta(id: string): Promise<z.output<typeof metaSchema> | undefined> {
    const text = await readFileCapped(this.metaPath(id), META_MAX_BYTES, `large answer ${id} metadata`);
    if (!text) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text.toString('utf8'));
    } catch (error) {
      throw new CustomsError('malformed', `large answer ${id} metadata is not JSON`, { cause: error });
    }
    const parsed = metaSchema.safeParse(value);
    if (!parsed.success) throw new CustomsError('malformed', `large answer ${id} metadata: ${parsed.error.issues[0]?.path.join('.') || 'document'}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return parsed.data;
  }

  private bodyPath(id: string): string {
    return pathUnderRoot(this.options.root, [DIRECTORY, `${id}.body`], `large answer ${id}`);
  }

  private metaPath(id: string): string {
    return pathUnderRoot(this.options.root, [DIRECTORY, `${id}.json`], `large answer ${id}`);
  }
}

async function olderThan(path: string, before: number): Promise<boolean> {
  const stats = await lstat(path).catch(() => undefined);
  return stats !== undefined && stats.mtimeMs < before;
}
