import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRegistrySource } from '../../../lambdas/adapters/oci-registry/registry-source.ts';
import { parseDigest, sha256Of } from '../../../lambdas/core/digest.ts';
import { descriptorSchema, type Descriptor } from '../../../lambdas/core/image/manifest-schema.ts';
import { MediaType } from '../../../lambdas/core/image/media-types.ts';
import type { BlobDescriptor } from '../../../tools/image-builder/oci-layout-writer.ts';
import { pushTestImage, type PushedImage } from '../../support/pushed-image.ts';
import { readAll } from '../../support/read-stream.ts';
import { customsRejection, registryReference } from '../../support/expectations.ts';

const host = inject('registryHost');


function descriptor(blob: BlobDescriptor): Descriptor {
  return descriptorSchema.parse(blob);
}


describe('registry source against a real docker-registry', () => {
  let single: PushedImage;
  let docker: PushedImage;
  let multi: PushedImage;

  beforeAll(async () => {
    [single, docker, multi] = await Promise.all([
      pushTestImage(`${host}/oci-registry/single:v1`),
      pushTestImage(`${host}/oci-registry/docker-format:v1`, { convertToDocker: true }),
      pushTestImage(`${host}/oci-registry/multi:v1`, { platforms: ['linux/amd64', 'linux/arm64'] }),
    ]);
  });

  afterAll(() => {
    for (const image of [single, docker, multi]) image?.cleanup();
  });

  it('reads the root manifest by tag over plain HTTP to a loopback registry', async () => {
    const source = createRegistrySource(registryReference(`${host}/oci-registry/single:v1`));
    expect(source.reference).toBe(`${host}/oci-registry/single:v1`);
    expect(source.repository).toBe(`${host}/oci-registry/single`);
    expect(source.tag).toBe('v1');
    const root = await source.root();
    if (root.kind !== 'document') throw new Error('expected a document');
    expect(root.mediaType).toBe(MediaType.ociManifest);
    expect(root.expectedDigest).toBeUndefined();
    const bytes = await readAll(root.content);
    expect(sha256Of(bytes)).toBe(single.root.digest);
    expect(bytes.equals(single.blob(single.root.digest))).toBe(true);
    await source.close();
  });

  it('reads the root manifest by digest and reports the pinned digest', async () => {
    const source = createRegistrySource(registryReference(`${host}/oci-registry/single@${single.root.digest}`));
    expect(source.tag).toBeUndefined();
    const root = await source.root();
    if (root.kind !== 'document') throw new Error('expected a document');
    expect(root.expectedDigest).toBe(single.root.digest);
    expect(sha256Of(await readAll(root.content))).toBe(single.root.digest);
    await source.close();
  });

  it('prefers the digest when a reference has both tag and digest', async () => {
    const source = createRegistrySource(registryReference(`${host}/oci-registry/multi:v1@${single.root.digest}`));
    await expect(source.root()).rejects.toMatchObject({ code: 'not-found' });
    const other = createRegistrySource(registryReference(`${host}/oci-registry/single:nonexistent@${single.root.digest}`));
    const root = await other.root();
    if (root.kind !== 'document') throw new Error('expected a document');
    expect(sha256Of(await readAll(root.content))).toBe(single.root.digest);
  });

  it('reports Docker v2 manifests with their own media type', async () => {
    const source = createRegistrySource(registryReference(`${host}/oci-registry/docker-format:v1`));
    const root = await source.root();
    if (root.kind !== 'document') throw new Error('expected a document');
    expect(root.mediaType).toBe(MediaType.dockerManifest);
    expect(sha256Of(await readAll(root.content))).toBe(docker.pushedDigest);
  });

  it('streams config and layer blobs whose bytes hash to their digests', async () => {
    const source = createRegistrySource(registryReference(`${host}/oci-registry/single:v1`));
    const { config, layers } = single.parts(single.root);
    const configBytes = await readAll(await source.open(descriptor(config)));
    expect(sha256Of(configBytes)).toBe(config.digest);
    for (const layer of layers) {
      const stream = await source.open(descriptor(layer));
      let chunks = 0;
      const collected: Uint8Array[] = [];
      for await (const chunk of stream) {
        chunks++;
        collected.push(chunk);
      }
      const bytes = Buffer.concat(collected);
      expect(bytes.length).toBe(layer.size);
      expect(sha256Of(bytes)).toBe(layer.digest);
      if (layer.size > 200_000) expect(chunks).toBeGreaterThan(1);
    }
    await source.close();
  });

  it('reads a multi-platform index and each platform manifest by digest', async () => {
    const source = createRegistrySource(registryReference(`${host}/oci-registry/multi:v1`));
    const root = await source.root();
    if (root.kind !== 'document') throw new Error('expected a document');
    expect(root.mediaType).toBe(MediaType.ociIndex);
    const indexBytes = await readAll(root.content);
    expect(sha256Of(indexBytes)).toBe(multi.root.digest);
    const index = JSON.parse(indexBytes.toString('utf8')) as { manifests: BlobDescriptor[] };
    expect(index.manifests.map((entry) => entry.platform?.architecture)).toEqual(['amd64', 'arm64']);
    for (const entry of index.manifests) {
      const bytes = await readAll(await source.open(descriptor(entry)));
      expect(sha256Of(bytes)).toBe(entry.digest);
      const { config } = multi.parts(entry);
      expect(sha256Of(await readAll(await source.open(descriptor(config))))).toBe(config.digest);
    }
    await source.close();
  });

  it('names a missing tag, repository or blob as not-found', async () => {
    const missingTag = await customsRejection(createRegistrySource(registryReference(`${host}/oci-registry/single:nope`)).root());
    expect(missingTag.code).toBe('not-found');
    expect(missingTag.message).toContain(`manifest nope of ${host}/oci-registry/single not found`);

    const missingRepo = await customsRejection(createRegistrySource(registryReference(`${host}/oci-registry/no-such-repo:v1`)).root());
    expect(missingRepo.code).toBe('not-found');
    expect(missingRepo.message).toContain('oci-registry/no-such-repo');

    const absent = parseDigest(`sha256:${'0'.repeat(64)}`);
    const source = createRegistrySource(registryReference(`${host}/oci-registry/single:v1`));
    const missingBlob = await customsRejection(source.open({ mediaType: MediaType.ociLayerGzip, digest: absent, size: 1 }));
    expect(missingBlob.code).toBe('not-found');
    expect(missingBlob.message).toContain(`blob ${absent}`);
    const missingManifest = await customsRejection(source.open({ mediaType: MediaType.ociManifest, digest: absent, size: 1 }));
    expect(missingManifest.code).toBe('not-found');
    expect(missingManifest.message).toContain(`manifest ${absent}`);
  });

  it('reports an unreachable registry as a network error after retrying', async () => {
    const source = createRegistrySource(registryReference('127.0.0.1:1/nothing/here:v1'), { retryDelayMs: 5 });
    const error = await customsRejection(source.root());
    expect(error.code).toBe('network');
    expect(error.message).toContain('127.0.0.1:1');
  });
});
