import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { S3LargeAnswers } from '../../../lambdas/adapters/s3/s3-large-answers.ts';

/**
 * A presigned URL checked by botocore (beside moto in the machine's Python), an implementation
 * independent of the SDK's presigner: whether its signature covers what it says, and until when it
 * is valid (X-Amz-Date + X-Amz-Expires, which S3 enforces; moto does not).
 */
const BOTOCORE_CHECK = `
import datetime, json, sys
from urllib.parse import urlsplit, parse_qsl, urlencode, quote
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

url = sys.argv[1]
parts = urlsplit(url)
query = parse_qsl(parts.query, keep_blank_values=True)
given = dict(query)
auth_params = {'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'}
rest = [(k, v) for k, v in query if k not in auth_params]
signed_at = datetime.datetime.strptime(given['X-Amz-Date'], '%Y%m%dT%H%M%SZ')
botocore.auth.get_current_datetime = lambda: signed_at
region = given['X-Amz-Credential'].split('/')[2]
request = AWSRequest(method='GET', url=f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(rest, quote_via=quote)}")
botocore.auth.S3SigV4QueryAuth(Credentials(sys.argv[2], sys.argv[3]), 's3', region, expires=int(given['X-Amz-Expires'])).add_auth(request)
mine = dict(parse_qsl(urlsplit(request.url).query))
print(json.dumps({'valid': mine['X-Amz-Signature'] == given['X-Amz-Signature'], 'validUntil': (signed_at + datetime.timedelta(seconds=int(given['X-Amz-Expires']))).strftime('%Y-%m-%dT%H:%M:%S.000Z')}))
`;

function botocoreCheck(url: string): { valid: boolean; validUntil: string } {
  return JSON.parse(execFileSync('python3', ['-c', BOTOCORE_CHECK, url, 'moto', 'moto'], { encoding: 'utf8' })) as { valid: boolean; validUntil: string };
}

/** Large answers in moto's S3: the bytes come back from the presigned URL alone, signed to lapse at expiresAt. */
describe('S3 large answers', () => {
  const client = new S3Client({ endpoint: inject('motoEndpoint'), region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
  const bucket = `customs-api-answers-${randomUUID()}`;
  const answers = new S3LargeAnswers({ client, bucket });

  beforeAll(async () => {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  it('stores the body under api-answers/ and answers a URL that fetches exactly it, valid five minutes', async () => {
    const body = randomBytes(7 * 1024 * 1024);
    const now = new Date();
    const key = `sbom/sha256:${'ab'.repeat(32)}/${randomUUID()}.json`;
    const { url, expiresAt } = await answers.publish(key, body, 'application/vnd.cyclonedx+json', now);
    expect(expiresAt).toEqual(new Date(Math.floor(now.getTime() / 1000) * 1000 + 300_000));
    const parsed = new URL(url);
    expect(botocoreCheck(url)).toEqual({ valid: true, validUntil: expiresAt.toISOString() });
    expect(decodeURIComponent(parsed.pathname)).toBe(`/${bucket}/api-answers/${key}`);
    // Fetched without credentials, as a caller of the API does.
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.cyclonedx+json');
    expect(Buffer.from(await response.arrayBuffer()).equals(body)).toBe(true);
    const stored = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `api-answers/${key}` }));
    expect(stored.ContentLength).toBe(body.length);
  });

  it('answers a URL whose signature ends its validity at expiresAt, and that cannot be lengthened', async () => {
    const short = new S3LargeAnswers({ client, bucket, expiresInSeconds: 60 });
    const signedAt = new Date('2026-12-01T10:00:00Z');
    const { url, expiresAt } = await short.publish(`expiring/${randomUUID()}.json`, Buffer.from('{"big":true}'), 'application/json', signedAt);
    expect(expiresAt).toEqual(new Date('2026-12-01T10:01:00Z'));
    expect(botocoreCheck(url)).toEqual({ valid: true, validUntil: expiresAt.toISOString() });
    const lengthened = new URL(url);
    lengthened.searchParams.set('X-Amz-Expires', '604800');
    expect(botocoreCheck(lengthened.toString())).toMatchObject({ valid: false });
    const backdated = new URL(url);
    backdated.searchParams.set('X-Amz-Date', '20261201T100100Z');
    expect(botocoreCheck(backdated.toString())).toMatchObject({ valid: false });
  });

  it('refuses a key that would leave its prefix', async () => {
    await expect(answers.publish('../sboms/x', Buffer.from('x'), 'text/plain', new Date())).rejects.toMatchObject({ code: 'usage' });
    await expect(answers.publish('/x', Buffer.from('x'), 'text/plain', new Date())).rejects.toMatchObject({ code: 'usage' });
  });
});
