import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { digestHex, sha256Of, type Digest } from '../../core/digest.ts';
import { CustomsError } from '../../core/errors.ts';
import { imageSbomSchema } from '../../core/pipeline/sbom-schema.ts';
import type { SbomRef } from '../../core/pipeline/model.ts';
import type { SbomStore } from '../../core/ports.ts';
import type { ImageSbom } from '../../core/sbom/model.ts';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export interface S3SbomStoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix, e.g. `sboms/`. */
  readonly prefix?: string;
  /** Largest uncompressed document read back (a guard against a replaced object that inflates). */
  readonly maxBytes?: number;
}

/**
 * SBOMs as gzip-compressed JSON objects in S3. The key is the manifest digest plus the hash of the
 * document, so each object is immutable: a retry rewrites the same bytes, a rescan by a newer
 * scanner writes beside the old one, and a reader never sees a document other than the one its
 * result references. Reads are capped, decompressed, hashed against the reference and validated.
 */
export class S3SbomStore implements SbomStore {
  private readonly prefix: string;
  private readonly maxBytes: number;

  constructor(private readonly options: S3SbomStoreOptions) {
    this.prefix = options.prefix ?? 'sboms/';
    this.maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
  }

  async put(digest: Digest, sbom: ImageSbom): Promise<SbomRef> {
    const json = Buffer.from(JSON.stringify(sbom), 'utf8');
    const sha256 = sha256Of(json);
    const body = await gzipAsync(json, { level: 6 });
    const location = `${this.prefix}${digest.replace(':', '/')}/${digestHex(sha256)}.json.gz`;
    await this.options.client.send(
      new PutObjectCommand({ Bucket: this.options.bucket, Key: location, Body: body, ContentType: 'application/gzip', Metadata: { 'uncompressed-sha256': sha256 } }),
    );
    return { location, sha256, bytes: json.length, storedBytes: body.length };
  }

  async get(ref: SbomRef): Promise<ImageSbom> {
    const what = `SBOM ${ref.location}`;
    if (ref.bytes > this.maxBytes) throw new CustomsError('limit', `${what} is ${ref.bytes} bytes, over the ${this.maxBytes} cap`);
    const response = await this.options.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: ref.location }));
    if (!response.Body) throw new CustomsError('not-found', `${what} has no body`);
    const compressed = Buffer.from(await response.Body.transformToByteArray());
    let json: Buffer;
    try {
      json = await gunzipAsync(compressed, { maxOutputLength: this.maxBytes });
    } catch (error) {
      throw new CustomsError('malformed', `${what} does not decompress: ${(error as Error).message}`, { cause: error });
    }
    const actual = sha256Of(json);
    if (actual !== ref.sha256) throw new CustomsError('digest-mismatch', `${what} hashes to ${actual}, but its scan result recorded ${ref.sha256}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(json.toString('utf8'));
    } catch (error) {
      throw new CustomsError('malformed', `${what} is not JSON`, { cause: error });
    }
    const result = imageSbomSchema.safeParse(parsed);
    if (!result.success) throw new CustomsError('malformed', `${what} is not a Customs SBOM: ${result.error.issues[0]?.message ?? 'invalid'} at ${result.error.issues[0]?.path.join('.') ?? ''}`);
    return result.data;
  }
}
