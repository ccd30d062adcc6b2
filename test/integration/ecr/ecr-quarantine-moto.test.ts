import { BatchDeleteImageCommand, CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { createHash, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { RegionalEcrClients } from '../../../lambdas/adapters/ecr/ecr-clients.ts';
import { EcrQuarantineRegistry } from '../../../lambdas/adapters/ecr/ecr-quarantine-registry.ts';
import type { Digest } from '../../../lambdas/core/digest.ts';
import type { ImageKey } from '../../../lambdas/core/pipeline/model.ts';
import { quarantineMarkerOf } from '../../../lambdas/core/pipeline/quarantine-model.ts';

/**
 * The adapter on moto_server's ECR, which keeps tags per digest as ECR does: a tag-only delete
 * removes one tag and the image with its last one (so quarantine puts the marker first), putting
 * the exact bytes back under a tag restores it, and a push under a tag moves it. moto is shared:
 * each run makes its own repository and never resets it. moto derives digests wrongly unless
 * PutImage is given imageDigest, so every put names it.
 *
 * Where moto 5.2.1 is not ECR (covered by the unit test's exact requests instead): a BatchDeleteImage
 * id naming digest AND tag deletes the whole image with every tag (the marker too) rather than the
 * one tag; a tag moved to another digest comes back as ImageNotFound, not ImageTagDoesNotMatchDigest;
 * an immutable tag is refused with ImageAlreadyExistsException, not ImageTagAlreadyExistsException.
 */
const REGION = 'us-east-1';
const ACCOUNT = '123456789012'; // moto's default account
const OCI = 'application/vnd.oci.image.manifest.v1+json';

function manifestJson(seed: string): string {
  const config = `sha256:${createHash('sha256').update(`config ${seed}`).digest('hex')}`;
  const layer = `sha256:${createHash('sha256').update(`layer ${seed}`).digest('hex')}`;
  // Spacing and key order as a client wrote them: only the exact bytes keep the digest.
  return JSON.stringify(
    { schemaVersion: 2, mediaType: OCI, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 123 }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer, size: 456 }] },
    null,
    3,
  );
}

function digestOf(manifest: string): Digest {
  return `sha256:${createHash('sha256').update(manifest, 'utf8').digest('hex')}` as Digest;
}

describe('EcrQuarantineRegistry on moto ECR', () => {
  const config = { endpoint: inject('motoEndpoint'), region: REGION, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } };
  const ecr = new ECRClient(config);
  const registry = new EcrQuarantineRegistry({ clients: new RegionalEcrClients({ create: () => ecr }) });
  const repositoryName = `customs-quarantine-${randomUUID()}`;
  const manifest = manifestJson('one');
  const key: ImageKey = { account: ACCOUNT, region: REGION, repository: repositoryName, digest: digestOf(manifest) };
  const marker = quarantineMarkerOf(key.digest);

  async function push(body: string, tag: string): Promise<void> {
    await ecr.send(new PutImageCommand({ registryId: ACCOUNT, repositoryName, imageManifest: body, imageManifestMediaType: OCI, imageTag: tag, imageDigest: digestOf(body) }));
  }

  async function tagsOf(digest: Digest): Promise<readonly string[] | 'gone'> {
    const image = await registry.describe({ ...key, digest });
    return image.exists ? image.tags : 'gone';
  }

  beforeAll(async () => {
    await ecr.send(new CreateRepositoryCommand({ registryId: ACCOUNT, repositoryName }));
    await push(manifest, 'latest');
    await push(manifest, 'v1');
  });

  async function removeTagOnly(tag: string): Promise<void> {
    // ECR's documented one-tag removal; the adapter names the digest too, which moto mishandles (above).
    const output = await ecr.send(new BatchDeleteImageCommand({ registryId: ACCOUNT, repositoryName, imageIds: [{ imageTag: tag }] }));
    expect(output.failures ?? []).toEqual([]);
  }

  it('answers the exact manifest bytes and puts them under the marker once', async () => {
    expect(await tagsOf(key.digest)).toEqual(['latest', 'v1']);
    const bytes = await registry.manifest(key);
    expect(Buffer.from(bytes.bytes).toString('utf8')).toBe(manifest);
    expect(bytes.mediaType).toBe(OCI);

    expect(await registry.putTag(key, marker, bytes)).toEqual({ outcome: 'tagged' });
    expect(await registry.putTag(key, marker, bytes)).toEqual({ outcome: 'already' });
    expect(await registry.tagDigest(key, marker)).toBe(key.digest);
    expect(await tagsOf(key.digest)).toEqual([marker, 'latest', 'v1']);
  });

  it('keeps the image on its marker when its tags go, restores a removed tag, and a second restore is already', async () => {
    await removeTagOnly('v1');
    expect(await tagsOf(key.digest)).toEqual([marker, 'latest']);
    expect(await registry.tagDigest(key, 'v1')).toBeUndefined();

    expect(await registry.putTag(key, 'v1', await registry.manifest(key))).toEqual({ outcome: 'tagged' });
    expect(await registry.putTag(key, 'v1', await registry.manifest(key))).toEqual({ outcome: 'already' });
    expect(await tagsOf(key.digest)).toEqual([marker, 'latest', 'v1']);
  });

  it('leaves a tag pushed again on another digest: moved, and the newer push keeps it', async () => {
    const newer = manifestJson('two');
    await push(newer, 'latest');
    expect(await tagsOf(key.digest)).toEqual([marker, 'v1']);
    expect(await registry.deleteTag(key, 'latest')).toEqual({ outcome: 'moved', digest: digestOf(newer) });
    expect(await tagsOf(digestOf(newer))).toEqual(['latest']);
    expect(await tagsOf(key.digest)).toEqual([marker, 'v1']);
    // A tag that is nowhere is absent.
    expect(await registry.deleteTag(key, 'never-pushed')).toEqual({ outcome: 'absent' });
  });

  it('deletes the image with its last tag, which is why quarantine puts the marker first', async () => {
    const body = manifestJson(`last-${randomUUID()}`);
    const image = { ...key, digest: digestOf(body) };
    await push(body, 'release-1');
    await push(body, 'release-2');
    const last = quarantineMarkerOf(image.digest);
    expect(await registry.putTag(image, last, await registry.manifest(image))).toEqual({ outcome: 'tagged' });
    await removeTagOnly('release-1');
    await removeTagOnly('release-2');
    expect(await tagsOf(image.digest)).toEqual([last]);
    await removeTagOnly(last);
    expect(await tagsOf(image.digest)).toBe('gone');
  });

  it('in an immutable repository puts the marker once and answers taken for a tag another digest holds', async () => {
    const immutable = `${repositoryName}-immutable`;
    await ecr.send(new CreateRepositoryCommand({ registryId: ACCOUNT, repositoryName: immutable, imageTagMutability: 'IMMUTABLE' }));
    const mine = manifestJson(`immutable-${randomUUID()}`);
    const theirs = manifestJson(`theirs-${randomUUID()}`);
    const put = (body: string, tag: string) =>
      ecr.send(new PutImageCommand({ registryId: ACCOUNT, repositoryName: immutable, imageManifest: body, imageManifestMediaType: OCI, imageTag: tag, imageDigest: digestOf(body) }));
    await put(mine, 'v1');
    await put(theirs, 'v2');
    const image = { ...key, repository: immutable, digest: digestOf(mine) };
    const bytes = await registry.manifest(image);
    const own = quarantineMarkerOf(image.digest);
    expect(await registry.putTag(image, own, bytes)).toEqual({ outcome: 'tagged' });
    expect(await registry.putTag(image, own, bytes)).toEqual({ outcome: 'already' });
    expect(await registry.putTag(image, 'v2', bytes)).toEqual({ outcome: 'taken', digest: digestOf(theirs) });
    expect(await registry.tagDigest(image, 'v2')).toBe(digestOf(theirs));
  });

  it('moto 5.2.1 deletes the whole image for an id naming digest and tag (ECR removes the one tag), so the untag cycle is not run on moto', async () => {
    const body = manifestJson(`combined-${randomUUID()}`);
    const image = { ...key, digest: digestOf(body) };
    await push(body, 'keep');
    await push(body, 'drop');
    expect(await registry.deleteTag(image, 'drop')).toEqual({ outcome: 'removed' });
    // If this starts failing, moto models the combined id and the cycle above can use deleteTag.
    expect(await tagsOf(image.digest)).toBe('gone');
  });
});
