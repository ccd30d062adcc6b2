import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { z } from 'zod';
import { osvRecordSchema } from '../../core/advisories/osv-schema.ts';
import type { AdvisoryChanges } from '../../core/advisories/sync-model.ts';
import { CustomsError, messageOf } from '../../core/errors.ts';
import type { AdvisoryChangeSets } from '../../core/ports.ts';
import { mapLimit } from '../../core/util/map-limit.ts';
import { ChangeSetParts, mergeParts } from './change-set-parts.ts';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

const partSchema = z.strictObject({
  syncId: z.string().min(1),
  keys: z.array(z.strictObject({ ecosystem: z.string().min(1), name: z.string().min(1) })),
  records: z.array(osvRecordSchema),
  retracted: z.array(z.string().min(1)),
});

/** A sync id as it may appear in a key: what newSyncId makes, and nothing that could climb out of the prefix. */
const SYNC_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
/** Parts are numbered with fixed width so S3 lists them in order. */
const PART_DIGITS = 6;
const PART_NAME = /^(\d{6})\.json\.gz$/;

export interface S3AdvisoryChangeSetsOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix (default `advisory-changes/`). */
  readonly prefix?: string;
  /** Largest inflated change set read back, all parts together (default 512 MiB: a first full load lists every record). */
  readonly maxBytes?: number;
  /** Parts read at once (default 16). */
  readonly readConcurrency?: number;
}

/**
 * A sync's changes as numbered gzipped JSON parts under `advisory-changes/<syncId>/`: each put
 * writes only what changed since the set this instance last stored or read (a first load of
 * thousands of groups writes each record once, not the whole growing set per group), and get
 * lists the parts and replays them in order. A retried put writes the same part again, which is
 * harmless; the sync's lease keeps two writers of one sync apart. Read back untrusted: each part
 * inflated under the cap left, checked against the schema, and naming the sync its key names. A
 * set never stored is `not-found`.
 */
export class S3AdvisoryChangeSets implements AdvisoryChangeSets {
  private readonly prefix: string;
  private readonly maxBytes: number;
  /** What each sync's stored parts add up to, as far as this instance knows. */
  private readonly stored = new Map<string, ChangeSetParts>();

  constructor(private readonly options: S3AdvisoryChangeSetsOptions) {
    this.prefix = options.prefix ?? 'advisory-changes/';
    this.maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
  }

  async put(changes: AdvisoryChanges): Promise<void> {
    const parts = this.stored.get(changes.syncId) ?? (await this.partsOf(changes.syncId));
    const delta = parts.delta(changes);
    if (!delta) return;
    const body = await gzipAsync(Buffer.from(JSON.stringify(delta), 'utf8'), { level: 6 });
    await this.options.client.send(new PutObjectCommand({ Bucket: this.options.bucket, Key: this.partKey(changes.syncId, parts.count), Body: body, ContentType: 'application/gzip' }));
    parts.stored(delta);
    this.stored.set(changes.syncId, parts);
  }

  async get(syncId: string): Promise<AdvisoryChanges> {
    const parts = await this.read(syncId);
    if (parts.length === 0) throw new CustomsError('not-found', `change set s3://${this.options.bucket}/${this.dir(syncId)} does not exist`);
    const merged = mergeParts(syncId, parts);
    this.stored.set(syncId, ChangeSetParts.of(merged, parts.length));
    return merged;
  }

  /** What is stored for a sync this instance has not seen yet (a continuation that did not read it first). */
  private async partsOf(syncId: string): Promise<ChangeSetParts> {
    const parts = await this.read(syncId);
    return parts.length === 0 ? ChangeSetParts.empty(syncId) : ChangeSetParts.of(mergeParts(syncId, parts), parts.length);
  }

  private async read(syncId: string): Promise<AdvisoryChanges[]> {
    const keys = await this.partKeys(syncId);
    let total = 0;
    return mapLimit(keys, this.options.readConcurrency ?? 16, async (key) => {
      const part = await this.readPart(syncId, key);
      total += part.bytes;
      if (total > this.maxBytes) throw new CustomsError('malformed', `change set s3://${this.options.bucket}/${this.dir(syncId)} inflates past ${this.maxBytes} bytes`);
      return part.changes;
    });
  }

  /** The sync's part keys in order; a gap (a part missing in the middle) is refused, never skipped. */
  private async partKeys(syncId: string): Promise<string[]> {
    const dir = this.dir(syncId);
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.options.client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: dir, ...(token ? { ContinuationToken: token } : {}) }));
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    keys.sort();
    keys.forEach((key, index) => {
      const match = PART_NAME.exec(key.slice(dir.length));
      if (!match || Number(match[1]) !== index) throw new CustomsError('malformed', `change set s3://${this.options.bucket}/${dir} has ${JSON.stringify(key)} where part ${index} belongs`);
    });
    return keys;
  }

  private async readPart(syncId: string, key: string): Promise<{ changes: AdvisoryChanges; bytes: number }> {
    const what = `change set part s3://${this.options.bucket}/${key}`;
    const response = await this.options.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
    if (!response.Body) throw new CustomsError('malformed', `${what} has no body`);
    const compressed = await response.Body.transformToByteArray();
    let inflated: Buffer;
    let parsed: unknown;
    try {
      inflated = await gunzipAsync(compressed, { maxOutputLength: this.maxBytes });
      parsed = JSON.parse(inflated.toString('utf8'));
    } catch (error) {
      throw new CustomsError('malformed', `${what} is not gzipped JSON under ${this.maxBytes} bytes: ${messageOf(error)}`, { cause: error });
    }
    const result = partSchema.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new CustomsError('malformed', `${what} is not a change set part: ${issue?.path.join('.') || 'document'}: ${issue?.message ?? 'invalid'}`);
    }
    if (result.data.syncId !== syncId) throw new CustomsError('malformed', `${what} holds the changes of sync ${JSON.stringify(result.data.syncId)}`);
    return { changes: result.data, bytes: inflated.byteLength };
  }

  private dir(syncId: string): string {
    if (!SYNC_ID.test(syncId)) throw new CustomsError('usage', `sync id ${JSON.stringify(syncId)} is not one a change set key can carry`);
    return `${this.prefix}${syncId}/`;
  }

  private partKey(syncId: string, index: number): string {
    return `${this.dir(syncId)}${String(index).padStart(PART_DIGITS, '0')}.json.gz`;
  }
}
