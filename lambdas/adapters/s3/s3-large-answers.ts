import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { LargeAnswers } from '../../core/api/api-ports.ts';
import { CustomsError } from '../../core/errors.ts';

export interface S3LargeAnswersOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix (default `api-answers/`): the bucket's lifecycle rule deletes objects under it after a day. */
  readonly prefix?: string;
  /** How long a URL is valid (default 300 s). */
  readonly expiresInSeconds?: number;
}

export const LARGE_ANSWERS_PREFIX = 'api-answers/';
const DEFAULT_EXPIRY_SECONDS = 300;
/** Keys the API derives (a digest, a route, a hash): no `..`, no leading `/`, nothing to escape. */
const KEY_PATTERN = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._:/=-]{0,511}$/;

/**
 * Answers too large for the HTTP API's 6 MB response: the body is written to S3 under
 * `api-answers/<key>` and a presigned GetObject URL, valid a few minutes, is answered instead. The
 * URL is signed by the Lambda's own role (GetObject on that prefix is all it grants), carries the
 * content type, and expires with the signature; the object outlives it only until the lifecycle rule.
 */
export class S3LargeAnswers implements LargeAnswers {
  private readonly prefix: string;
  private readonly expiresIn: number;

  constructor(private readonly options: S3LargeAnswersOptions) {
    this.prefix = options.prefix ?? LARGE_ANSWERS_PREFIX;
    this.expiresIn = options.expiresInSeconds ?? DEFAULT_EXPIRY_SECONDS;
  }

  async publish(key: string, body: Uint8Array, contentType: string, now: Date): Promise<{ readonly url: string; readonly expiresAt: Date }> {
    if (!KEY_PATTERN.test(key)) throw new CustomsError('usage', `large answer key ${JSON.stringify(key)} is not a plain object name`);
    const objectKey = `${this.prefix}${key}`;
    await this.options.client.send(new PutObjectCommand({ Bucket: this.options.bucket, Key: objectKey, Body: body, ContentType: contentType }));
    const url = await getSignedUrl(this.options.client, new GetObjectCommand({ Bucket: this.options.bucket, Key: objectKey }), { expiresIn: this.expiresIn, signingDate: now });
    // SigV4 dates have whole seconds: the URL lapses that many seconds after the second it was signed in.
    return { url, expiresAt: new Date(Math.floor(now.getTime() / 1000) * 1000 + this.expiresIn * 1000) };
  }
}
