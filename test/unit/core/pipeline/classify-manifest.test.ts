import { describe, expect, it } from 'vitest';
import { classifyManifest } from '../../../../lambdas/core/pipeline/classify-manifest.ts';

const digest = (char: string) => `sha256:${char.repeat(64)}`;
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));
const descriptor = (mediaType: string, char = 'a') => ({ mediaType, digest: digest(char), size: 10 });

/** What a pushed manifest is, told by its content (not by the index that lists it). */
describe('classifyManifest', () => {
  it('finds an image manifest', () => {
    const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: descriptor('application/vnd.oci.image.config.v1+json'), layers: [descriptor('application/vnd.oci.image.layer.v1.tar+gzip', 'b')] };
    expect(classifyManifest(bytes(manifest))).toEqual({ kind: 'image' });
  });

  it('lists an index’s children, attestations included (they are told apart by their own content)', () => {
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { ...descriptor('application/vnd.oci.image.manifest.v1+json', 'c'), platform: { os: 'linux', architecture: 'amd64' } },
        { ...descriptor('application/vnd.oci.image.manifest.v1+json', 'd'), platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } },
      ],
    };
    const kind = classifyManifest(bytes(index));
    expect(kind.kind).toBe('index');
    expect(kind.kind === 'index' && kind.children.map((child) => child.digest)).toEqual([digest('c'), digest('d')]);
  });

  it('calls a Helm chart NOT_AN_IMAGE by its config media type', () => {
    const chart = { schemaVersion: 2, config: descriptor('application/vnd.cncf.helm.config.v1+json'), layers: [descriptor('application/vnd.cncf.helm.chart.content.v1.tar+gzip', 'b')] };
    expect(classifyManifest(bytes(chart))).toEqual({ kind: 'not-an-image', reason: 'an artifact whose config has media type application/vnd.cncf.helm.config.v1+json' });
  });

  it('calls a BuildKit attestation NOT_AN_IMAGE by its in-toto layers, though its config is an image config', () => {
    const attestation = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: descriptor('application/vnd.oci.image.config.v1+json'), layers: [descriptor('application/vnd.in-toto+json', 'b')] };
    expect(classifyManifest(bytes(attestation)).kind).toBe('not-an-image');
  });

  it('calls an OCI 1.1 artifact (signature, SBOM referrer) NOT_AN_IMAGE by its artifactType', () => {
    const referrer = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json', config: descriptor('application/vnd.oci.empty.v1+json'), layers: [descriptor('application/vnd.dev.sigstore.bundle.v0.3+json', 'b')], subject: descriptor('application/vnd.oci.image.manifest.v1+json', 'e') };
    expect(classifyManifest(bytes(referrer))).toEqual({ kind: 'not-an-image', reason: 'an OCI artifact of type application/vnd.dev.sigstore.bundle.v0.3+json' });
  });

  it('calls cosign’s tag-based signature, attestation and SBOM manifests NOT_AN_IMAGE by their layers, though their config is an image config', () => {
    const cosign = (layerType: string) => ({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: descriptor('application/vnd.oci.image.config.v1+json'), layers: [descriptor(layerType, 'b'), descriptor(layerType, 'c')] });
    for (const layerType of ['application/vnd.dev.cosign.simplesigning.v1+json', 'application/vnd.dsse.envelope.v1+json', 'text/spdx+json']) {
      expect(classifyManifest(bytes(cosign(layerType)))).toEqual({ kind: 'not-an-image', reason: `an artifact with no image layers (layers of type ${layerType})` });
    }
  });

  it('keeps an image with no layers, or with an image layer type Customs cannot read, an image (buildSbom decides)', () => {
    const image = (layers: unknown[]) => ({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: descriptor('application/vnd.oci.image.config.v1+json'), layers });
    expect(classifyManifest(bytes(image([])))).toEqual({ kind: 'image' });
    expect(classifyManifest(bytes(image([descriptor('application/vnd.oci.image.layer.v1.tar+bzip2', 'b')])))).toEqual({ kind: 'image' });
    expect(classifyManifest(bytes(image([descriptor('application/vnd.docker.image.rootfs.diff.tar.lz4', 'b')])))).toEqual({ kind: 'image' });
    expect(classifyManifest(bytes(image([descriptor('application/vnd.oci.image.layer.v1.tar+gzip', 'b'), descriptor('application/octet-stream', 'c')])))).toEqual({ kind: 'image' });
  });

  it('leaves what does not parse to buildSbom, whose error becomes the FAILED reason', () => {
    expect(classifyManifest(Buffer.from('{not json'))).toEqual({ kind: 'image' });
    expect(classifyManifest(bytes({ schemaVersion: 1, name: 'old' }))).toEqual({ kind: 'image' });
  });
});
