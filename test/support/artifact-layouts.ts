import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { OCI, OciLayoutWriter, type BlobDescriptor } from '../../tools/image-builder/oci-layout-writer.ts';
import { tarBytes } from '../../tools/image-builder/tar-writer.ts';

/**
 * OCI layouts (tag `latest`) of what registries hold besides images: a Helm chart as `helm push`
 * stores it, and an image index carrying an in-toto attestation the way BuildKit attaches one.
 */
export const HELM_CONFIG = 'application/vnd.cncf.helm.config.v1+json';
export const HELM_CHART_LAYER = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';
export const IN_TOTO_LAYER = 'application/vnd.in-toto+json';

export interface HelmChartLayout {
  readonly dir: string;
  readonly manifest: BlobDescriptor;
  readonly config: BlobDescriptor;
  readonly chart: BlobDescriptor;
}

export function helmChartLayout(name = `chart-${randomBytes(4).toString('hex')}`): HelmChartLayout {
  const dir = mkdtempSync(join(tmpdir(), 'customs-helm-'));
  const writer = new OciLayoutWriter(dir);
  const config = writer.json({ apiVersion: 'v2', name, version: '0.1.0', description: 'a test chart' }, HELM_CONFIG);
  const chart = writer.blob(gzipSync(tarBytes([{ type: 'file', path: `${name}/Chart.yaml`, content: `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n` }])), HELM_CHART_LAYER);
  const manifest = writer.json({ schemaVersion: 2, mediaType: OCI.manifest, config, layers: [chart] }, OCI.manifest);
  writer.finish([{ descriptor: manifest, tag: 'latest' }]);
  return { dir, manifest, config, chart };
}

export interface AttestedImageLayout {
  readonly dir: string;
  readonly index: BlobDescriptor;
  readonly image: BlobDescriptor;
  readonly attestation: BlobDescriptor;
}

/**
 * An index over one linux/amd64 image and an in-toto attestation of it (platform unknown/unknown).
 * `annotated` marks the attestation's index entry as BuildKit does (`vnd.docker.reference.type`);
 * without it, only the manifest's content says what it is.
 */
export function attestedImageLayout(options: { annotated: boolean }): AttestedImageLayout {
  const dir = mkdtempSync(join(tmpdir(), 'customs-attested-'));
  const writer = new OciLayoutWriter(dir);
  const image = writer.image({
    layers: [{ tar: tarBytes([{ type: 'file', path: 'etc/os-release', content: 'ID=customs-test\n' }, { type: 'file', path: 'app/marker', content: randomBytes(16) }]) }],
  });
  const attestation = inTotoManifest(writer, image, options.annotated);
  const index = writer.index([image, attestation]);
  writer.finish([{ descriptor: index, tag: 'latest' }]);
  return { dir, index, image, attestation };
}

/** An attestation layout of its own: the in-toto manifest alone, as a referrer pushed by digest. */
export function standaloneAttestationLayout(): { readonly dir: string; readonly attestation: BlobDescriptor } {
  const dir = mkdtempSync(join(tmpdir(), 'customs-attestation-'));
  const writer = new OciLayoutWriter(dir);
  const subject = { mediaType: OCI.manifest, digest: `sha256:${randomBytes(32).toString('hex')}`, size: 1234 };
  const attestation = inTotoManifest(writer, subject, false);
  writer.finish([{ descriptor: attestation, tag: 'latest' }]);
  return { dir, attestation };
}

function inTotoManifest(writer: OciLayoutWriter, subject: BlobDescriptor, annotated: boolean): BlobDescriptor {
  const statement = writer.blob(
    Buffer.from(
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v0.1',
        predicateType: 'https://slsa.dev/provenance/v0.2',
        subject: [{ name: 'pkg:docker/customs-test', digest: { sha256: subject.digest.slice('sha256:'.length) } }],
        predicate: { builder: { id: 'https://example.com/customs-test-builder' } },
      }),
    ),
    IN_TOTO_LAYER,
  );
  const layer = { ...statement, annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' } };
  const config = writer.json({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [] } }, OCI.config);
  const manifest = writer.json({ schemaVersion: 2, mediaType: OCI.manifest, config, layers: [layer] }, OCI.manifest);
  return {
    ...manifest,
    platform: { os: 'unknown', architecture: 'unknown' },
    ...(annotated ? { annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': subject.digest } } : {}),
  };
}

export const COSIGN_SIGNATURE_LAYER = 'application/vnd.dev.cosign.simplesigning.v1+json';

/** cosign's tag-based signature (`sha256-<hex>.sig`): an image config over a simple-signing payload. */
export function cosignSignatureLayout(subjectDigest: string): { readonly dir: string; readonly manifest: BlobDescriptor } {
  const dir = mkdtempSync(join(tmpdir(), 'customs-cosign-'));
  const writer = new OciLayoutWriter(dir);
  const payload = Buffer.from(JSON.stringify({ critical: { identity: { 'docker-reference': 'customs-test' }, image: { 'docker-manifest-digest': subjectDigest }, type: 'cosign container image signature' }, optional: null }));
  const signed = writer.blob(payload, COSIGN_SIGNATURE_LAYER);
  const layer = { ...signed, annotations: { 'dev.cosignproject.cosign/signature': randomBytes(64).toString('base64') } };
  const config = writer.json({ architecture: '', os: '', config: {}, rootfs: { type: 'layers', diff_ids: [signed.digest] } }, OCI.config);
  const manifest = writer.json({ schemaVersion: 2, mediaType: OCI.manifest, config, layers: [layer] }, OCI.manifest);
  writer.finish([{ descriptor: manifest, tag: 'latest' }]);
  return { dir, manifest };
}
