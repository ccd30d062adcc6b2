import { sha256Of, type Digest } from '../../../../lambdas/core/digest.ts';
import type { Distro, ImageSbom, LayerSummary, Package, ScanResult } from '../../../../lambdas/core/sbom/model.ts';
import { formatPurl } from '../../../../lambdas/core/sbom/purl.ts';

/** Scan results built in code, shaped like what the scanner produces for a Debian 12 image. */

export function digestOf(seed: string): Digest {
  return sha256Of(Buffer.from(seed));
}

export const BOOKWORM: Distro = {
  id: 'debian',
  versionId: '12',
  codename: 'bookworm',
  prettyName: 'Debian GNU/Linux 12 (bookworm)',
  source: 'etc/os-release',
};

function layers(platform: string): LayerSummary[] {
  return [0, 1].map((index) => ({
    index,
    digest: digestOf(`${platform} layer ${index}`),
    diffId: digestOf(`${platform} diff ${index}`),
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    size: 1000 * (index + 1),
    status: 'read',
  }));
}

interface PackageSpec {
  name: string;
  version: string;
  architecture?: string;
  source?: { name: string; version: string };
  layer?: number;
}

export function debPackage(spec: PackageSpec, imageLayers: readonly LayerSummary[]): Package {
  const layer = imageLayers[spec.layer ?? 0]!;
  const purl = formatPurl({
    type: 'deb',
    namespace: 'debian',
    name: spec.name,
    version: spec.version,
    qualifiers: { arch: spec.architecture, distro: 'debian-12' },
  });
  return {
    id: purl,
    type: 'deb',
    name: spec.name,
    version: spec.version,
    ...(spec.architecture ? { architecture: spec.architecture } : {}),
    ...(spec.source ? { source: spec.source } : {}),
    purl,
    location: {
      path: layer.index === 0 ? 'var/lib/dpkg/status' : 'var/lib/dpkg/status.d/curl',
      layerIndex: layer.index,
      layerDigest: layer.digest,
      layerDiffId: layer.diffId,
    },
    cataloger: 'dpkg',
  };
}

/** Deliberately unsorted: renderers own the ordering. */
function packageSpecs(arch: string): PackageSpec[] {
  return [
    { name: 'zlib1g', version: '1:1.2.13.dfsg-1', architecture: 'i386', source: { name: 'zlib', version: '1:1.2.13.dfsg-1' } },
    { name: 'libc6', version: '2.36-9+deb12u7', architecture: arch, source: { name: 'glibc', version: '2.36-9+deb12u7' } },
    { name: 'bash', version: '5.2.15-2+b7', architecture: arch, source: { name: 'bash', version: '5.2.15-2' } },
    { name: 'passwd', version: '1:4.13+dfsg1-1+b1', architecture: arch, source: { name: 'shadow', version: '1:4.13+dfsg1-1' } },
    { name: 'tzdata', version: '2024a-0+deb12u1', architecture: 'all' },
    { name: 'zlib1g', version: '1:1.2.13.dfsg-1', architecture: arch, source: { name: 'zlib', version: '1:1.2.13.dfsg-1' } },
    { name: 'curl', version: '7.88.1-10+deb12u8', architecture: arch, source: { name: 'curl', version: '7.88.1-10+deb12u8' }, layer: 1 },
  ];
}

export const INDEX_DIGEST = digestOf('index');

export function debianImage(arch: 'amd64' | 'arm64', overrides: Partial<ImageSbom> = {}): ImageSbom {
  const imageLayers = layers(arch);
  return {
    reference: 'docker.io/library/debian:12',
    repository: 'docker.io/library/debian',
    tag: '12',
    platform: { os: 'linux', architecture: arch },
    indexDigest: INDEX_DIGEST,
    manifestDigest: digestOf(`${arch} manifest`),
    configDigest: digestOf(`${arch} config`),
    created: '2024-06-10T00:00:00Z',
    distro: BOOKWORM,
    layers: imageLayers,
    packages: packageSpecs(arch).map((spec) => debPackage(spec, imageLayers)),
    warnings: ['layer 2: 1 file skipped: path escapes the root'],
    ...overrides,
  };
}

export function singleImageResult(): ScanResult {
  return { reference: 'debian:12', images: [debianImage('amd64')] };
}

export function multiPlatformResult(): ScanResult {
  return { reference: 'debian:12', images: [debianImage('amd64'), debianImage('arm64', { warnings: [] })] };
}

/** A docker-archive: no manifest, no index, no tag, no recognisable OS, a package without arch or source. */
export function archiveResult(): ScanResult {
  const imageLayers = layers('archive');
  return {
    reference: 'docker-archive:app.tar',
    images: [
      {
        reference: 'docker-archive:app.tar',
        repository: 'app',
        platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
        configDigest: digestOf('archive config'),
        layers: imageLayers,
        packages: [debPackage({ name: 'hello', version: '2.10-3' }, imageLayers)],
        warnings: [],
      },
    ],
  };
}

export const TOOL = { name: 'customs', version: '0.1.0' };
export const GENERATED_AT = new Date('2025-01-02T03:04:05.678Z');
