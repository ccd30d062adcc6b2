import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CustomsError } from '../../core/errors.ts';

/** An S3 object read as UTF-8 text, refused past `maxBytes` (VEX documents, policy inputs). */
export async function readS3Text(client: S3Client, bucket: string, key: string, maxBytes: number): Promise<string> {
  const what = `s3://${bucket}/${key}`;
  const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!response.Body) throw new CustomsError('not-found', `${what} has no body`);
  if ((response.ContentLength ?? 0) > maxBytes) throw new CustomsError('limit', `${what} is ${response.ContentLength} bytes, over the ${maxBytes} cap`);
  const text = await response.Body.transformToString('utf8');
  if (Buffer.byteLength(text) > maxBytes) throw new CustomsError('limit', `${what} is over the ${maxBytes}-byte cap`);
  return text;
}
