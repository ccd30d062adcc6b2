import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pushTestImage, type PushedImage } from '../../support/pushed-image.ts';
import { startRegistryProxy, type RunningProxy } from '../../support/registry-proxy.ts';
import { sha256 } from '../../../tools/image-builder/oci-layout-writer.ts';
import { scan } from '../../support/scan.ts';

/**
 * A layer served with one byte flipped near its start, as a bad disk or a bad cache would serve
 * it, through a proxy in front of the real registry. The read fails on the flip (in gunzip, or in
 * the tar walk over what gunzip makes of it) long before the blob ends; the cause to report is that
 * the blob is not what its digest names.
 */
describe('a layer blob with one flipped byte', () => {
  let image: PushedImage;
  let proxy: RunningProxy;
  let large: { digest: string; flipped: Buffer };

  beforeAll(async () => {
    image = await pushTestImage(`${inject('registryHost')}/hostile/flipped:v1`);
    const layer = image.parts(image.manifests[0]!).layers.reduce((a, b) => (b.size > a.size ? b : a));
    const flipped = Buffer.from(image.blob(layer.digest));
    flipped[64]! ^= 0x01;
    large = { digest: layer.digest, flipped };
    proxy = await startRegistryProxy(inject('registryHost'), (request, response) => {
      if (request.method !== 'GET' || !request.url?.endsWith(`/blobs/${layer.digest}`)) return false;
      response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(flipped.length) });
      // Sent in pieces, as a network does, so the gzip error comes before the end of the blob.
      for (let offset = 0; offset < flipped.length; offset += 16 * 1024) response.write(flipped.subarray(offset, offset + 16 * 1024));
      response.end();
      return true;
    });
  });

  afterAll(async () => {
    await proxy?.stop();
    image?.cleanup();
  });

  it('is reported as a digest mismatch with the expected and actual digests, not as bad gzip', async () => {
    const failure = await scan(`${proxy.host}/hostile/flipped:v1`).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({
      code: 'digest-mismatch',
      message: expect.stringContaining(`layer ${large.digest} does not match its content (expected ${large.digest}, content hashes to ${sha256(large.flipped)})`),
    });
    // What stopped the read (the tar walk over what gunzip made of it) is still said, after the cause.
    expect((failure as Error).message).toMatch(/; reading it failed with: .+/);
  });
});
