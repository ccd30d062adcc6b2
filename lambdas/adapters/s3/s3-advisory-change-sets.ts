import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { z } from 'zod';
import { osvRecordSchema } from '../../core/advisories/osv-schema.ts';
import type { AdvisoryChanges } from '../../core/advisories/sync-model.ts';
import { CustomsError, messageOf } from '../../core/errors.ts';
import type { AdvisoryChangeSets } from '../../core/ports.ts';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

const changesSchema = z.strictObject({
  syncId: z.string().min(1),
  keys: z.array(z.strictObject({ ecosystem: z.string().min(1), name: z.string().min(1) })),
  records: z.array(osvRecordSchema),
  retracted: z.array(z.string().min(1)),
});

/** A sync id as it may appear in a key: what newSyncId makes, and nothing that could climb out of the prefix. */
const SYNC_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export interface S3AdvisoryChangeSetsOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix (default `advisory-changes/`). */
  readonly prefix?: string;
  /** Largest inflated change set read back (default 512 MiB: a first full load lists every record). */
  readonly maxBytes?: number;
}

/**
 * A sync's changes as one gzipped JSON object, `advisory-changes/<syncId>.json.gz`, rewritten as
 * the sync accumulates them (a put replaces the whole set, so a retried put is harmless). Read
 * back untrusted: inflated under a cap, checked against the schema, and the set must be the one
 * its key names. A set never stored is `not-found`.
 */
export class S3AdvisoryChangeSets implements AdvisoryChangeSets {
  private readonly prefix: string;
  private readonly maxBytes: number;

  constructor(private readonly options: S3AdvisoryChangeSetsOptions) {
    this.prefix = options.prefix ?? 'advisory-changes/';
    this.maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
  }

  async put(changes: AdvisoryChanges): Promise<void> {
    const body = await gzipAsync(Buffer.from(JSON.stringify(changes), 'utf8'), { level: 6 });
    await this.options.client.send(new PutObjectCommand({ Bucket: this.options.bucket, Key: this.key(changes.syncId), Body: body, ContentType: 'application/gzip' }));
  }

  async get(syncId: string): Promise<AdvisoryChanges> {
    const key = this.key(syncId);
    const what = `change set s3://${this.options.bucket}/${key}`;
    let compressed: Uint8Array;
    try {
      const response = await this.options.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
      if (!response.Body) throw new CustomsError('not-found', `${what} has no body`);
      compressed = await response.Body.transformToByteArray();
    } catch (error) {
      if (error instanceof NoSuchKey) throw new CustomsError('not-found', `${what} does not exist`, { cause: error });
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse((await gunzipAsync(compressed, { maxOutputLength: this.maxBytes })).toString('utf8'));
    } catch (error) {
      throw new CustomsError('malformed', `${what} is not gzipped JSON under ${this.maxBytes} bytes: ${messageOf(error)}`, { cause: error });
    }
    const result = changesSchema.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new CustomsError('malformed', `${what} is not a change set: ${issue?.path.join('.') || 'document'}: ${issue?.message ?? 'invalid'}`);
    }
    if (result.data.syncId !== syncId) throw new CustomsError('malformed', `${what} holds the changes of sync ${JSON.stringify(result.data.syncId)}`);
    return result.data;
  }

  private key(syncId: string): string {
    if (!SYNC_ID.test(syncId)) throw new CustomsError('usage', `sync id ${JSON.stringify(syncId)} is not one a change set key can carry`);
    return `${this.prefix}${syncId}.json.gz`;
  }
}
