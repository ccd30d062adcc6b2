import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { S3SbomStore } from '../../../lambdas/adapters/s3/s3-sbom-store.ts';
import { sha256Of } from '../../../lambdas/core/digest.ts';
import { isCustomsError } from '../../../lambdas/core/errors.ts';
import { sampleImageSbom } from '../../support/sample-findings.ts';
import { benchNpmSbom } from './big-npm-sbom.ts';

/** SBOMs in moto's S3: gzip, keyed by digest, hashed and validated on the way back. */
describe('S3 SBOM store', () => {
  const client = new S3Client({ endpoint: inject('motoEndpoint'), region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
  const bucket = `customs-sboms-${randomUUID()}`;
  const store = new S3SbomStore({ client, bucket });

  beforeAll(async () => {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  it('round-trips the bench’s 21,000-package npm SBOM whole', async () => {
    const sbom = benchNpmSbom();
    expect(sbom.packages.length).toBeGreaterThan(20_000);
    const digest = sbom.manifestDigest!;
    const ref = await store.put(digest, sbom);
    expect(ref.location).toContain(digest.replace(':', '/'));
    // Measured: 10 MB of JSON, 660 KB gzip: past an item's 400 KB even compressed, so S3 it is.
    console.log(`SBOM of ${sbom.packages.length} packages: ${ref.bytes} bytes JSON, ${ref.storedBytes} gzip`);
    expect(ref.bytes).toBeGreaterThan(400 * 1024);
    expect(await store.get(ref)).toEqual(sbom);
  });

  it('measures a small image’s SBOM, which S3 stores more cheaply than an item would', async () => {
    const sbom = sampleImageSbom();
    const ref = await store.put(sbom.manifestDigest!, sbom);
    console.log(`SBOM of 1 package: ${ref.bytes} bytes JSON, ${ref.storedBytes} gzip`);
    expect(await store.get(ref)).toEqual(sbom);
  });

  it('is idempotent: the same document lands on the same key', async () => {
    const sbom = sampleImageSbom();
    const first = await store.put(sbom.manifestDigest!, sbom);
    const second = await store.put(sbom.manifestDigest!, sbom);
    expect(second).toEqual(first);
  });

  it('refuses an object that was replaced, naming the hash', async () => {
    const sbom = sampleImageSbom();
    const ref = await store.put(sbom.manifestDigest!, sbom);
    const altered = { ...sbom, packages: [] };
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: ref.location, Body: gzipSync(JSON.stringify(altered)) }));
    const error: unknown = await store.get(ref).catch((caught: unknown) => caught);
    expect(isCustomsError(error) && error.code).toBe('digest-mismatch');
  });

  it('refuses a document with the right hash but the wrong shape', async () => {
    const json = Buffer.from(JSON.stringify({ packages: 'nope' }));
    const location = `sboms/bad/${randomUUID()}.json.gz`;
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: location, Body: gzipSync(json) }));
    const error: unknown = await store.get({ location, sha256: sha256Of(json), bytes: json.length, storedBytes: 0 }).catch((caught: unknown) => caught);
    expect(isCustomsError(error) && error.code).toBe('malformed');
  });

  it('stores gzip bytes (not JSON) under the key', async () => {
    const sbom = sampleImageSbom();
    const ref = await store.put(sbom.manifestDigest!, sbom);
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: ref.location }));
    const bytes = await object.Body!.transformToByteArray();
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
  });
});
