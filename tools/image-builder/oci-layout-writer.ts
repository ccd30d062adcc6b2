import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * Builds OCI image layouts for tests and the demo: images with chosen layers and compression,
 * multi-platform indexes, attestation entries, and deliberately broken variants (tampered blobs,
 * wrong diffIDs, nested or oversized indexes). Not part of the scanner.
 */
export interface BlobDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

export type Compression = 'gzip' | 'zstd' | 'none';

export interface LayerInput {
  tar: Uint8Array;
  compression?: Compression;
  /** Override the diffID written to the config (to test verification). */
  diffId?: string;
  mediaType?: string;
}

export interface ImageInput {
  layers: LayerInput[];
  platform?: { os: string; architecture: string; variant?: string };
  manifestMediaType?: 'oci' | 'docker';
}

export const OCI = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  layerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  layerTar: 'application/vnd.oci.image.layer.v1.tar',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function compress(bytes: Uint8Array, compression: Compression): Uint8Array {
  if (compression === 'gzip') return gzipSync(bytes);
  if (compression === 'zstd') {
    const result = spawnSync('zstd', ['-q', '-c', '-3'], { input: bytes, maxBuffer: 1 << 30 });
    if (result.status !== 0) throw new Error(`zstd failed: ${result.stderr?.toString()}`);
    return result.stdout;
  }
  return bytes;
}

export class OciLayoutWriter {
  constructor(readonly dir: string) {
    mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  }

  /** Stores bytes as a blob under their digest (or under `asDigest`, to plant a tampered blob). */
  blob(bytes: Uint8Array, mediaType: string, asDigest?: string): BlobDescriptor {
    const digest = asDigest ?? sha256(bytes);
    writeFileSync(join(this.dir, 'blobs', 'sha256', digest.slice('sha256:'.length)), bytes);
    return { mediaType, digest, size: bytes.length };
  }

  json(value: unknown, mediaType: string): BlobDescriptor {
    return this.blob(Buffer.from(JSON.stringify(value)), mediaType);
  }

  /** Writes config, layers and manifest; returns the manifest descriptor (with platform). */
  image(input: ImageInput): BlobDescriptor {
    const platform = input.platform ?? { os: 'linux', architecture: 'amd64' };
    const docker = input.manifestMediaType === 'docker';
    const layers = input.layers.map((layer) => {
      const compression = layer.compression ?? 'gzip';
      const stored = compress(layer.tar, compression);
      const mediaType =
        layer.mediaType ?? (docker ? OCI.dockerLayerGzip : compression === 'gzip' ? OCI.layerGzip : compression === 'zstd' ? OCI.layerZstd : OCI.layerTar);
      return { descriptor: this.blob(stored, mediaType), diffId: layer.diffId ?? sha256(layer.tar) };
    });
    const config = this.json(
      {
        architecture: platform.architecture,
        os: platform.os,
        ...(platform.variant ? { variant: platform.variant } : {}),
        created: '2026-01-01T00:00:00Z',
        config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
        rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
      },
      docker ? OCI.dockerConfig : OCI.config,
    );
    const manifest = this.json(
      { schemaVersion: 2, mediaType: docker ? OCI.dockerManifest : OCI.manifest, config, layers: layers.map((layer) => layer.descriptor) },
      docker ? OCI.dockerManifest : OCI.manifest,
    );
    return { ...manifest, platform };
  }

  /** Writes an index over manifests (or other indexes). */
  index(manifests: BlobDescriptor[], mediaType: string = OCI.index): BlobDescriptor {
    return this.json({ schemaVersion: 2, mediaType, manifests }, mediaType);
  }

  /** Writes index.json naming the given descriptors, tagged when a tag is given. */
  finish(entries: Array<{ descriptor: BlobDescriptor; tag?: string }>): void {
    const manifests = entries.map(({ descriptor, tag }) => ({
      ...descriptor,
      ...(tag ? { annotations: { ...descriptor.annotations, 'org.opencontainers.image.ref.name': tag } } : {}),
    }));
    writeFileSync(join(this.dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: OCI.index, manifests }));
  }
}

/** An attestation manifest as BuildKit attaches it to an index: platform unknown/unknown. */
export function attestationFor(writer: OciLayoutWriter, subject: BlobDescriptor): BlobDescriptor {
  const statement = writer.blob(Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v0.1', predicateType: 'https://spdx.dev/Document' })), 'application/vnd.in-toto+json');
  const config = writer.json({ architecture: 'unknown', os: 'unknown', rootfs: { type: 'layers', diff_ids: [] } }, OCI.config);
  const manifest = writer.json({ schemaVersion: 2, mediaType: OCI.manifest, config, layers: [statement] }, OCI.manifest);
  return {
    ...manifest,
    platform: { os: 'unknown', architecture: 'unknown' },
    annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': subject.digest },
  };
}
