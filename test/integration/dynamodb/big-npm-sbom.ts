import { parseDigest } from '../../../lambdas/core/digest.ts';
import type { ImageSbom, Package } from '../../../lambdas/core/sbom/model.ts';
import { planNpmTree, type NpmTreePlan } from '../../../scripts/bench/npm-tree.ts';

type Planned = NpmTreePlan['topLevel'][number];

const LAYER = parseDigest(`sha256:${'1'.repeat(64)}`);
const DIFF_ID = parseDigest(`sha256:${'2'.repeat(64)}`);

/**
 * The SBOM of the bench's big npm image (scripts/bench/bench-images.ts `npm-20k-3layers`: the same seed and tree
 * shape, 12,000 hoisted plus 8,500 nested installs) without building the image: one package per
 * installed package.json, shaped as the npm cataloger reports them.
 */
export function benchNpmSbom(): ImageSbom {
  const plan = planNpmTree(4, { app: 'srv/app', topLevel: 12_000, nested: 8_500 });
  const packages: Package[] = [];
  const visit = (pkg: Planned): void => {
    const path = `/${pkg.dir}/package.json`;
    const purl = `pkg:npm/${pkg.name.startsWith('@') ? `%40${pkg.name.slice(1)}` : pkg.name}@${pkg.version}`;
    packages.push({ id: `${purl}#${path}`, type: 'npm', name: pkg.name, version: pkg.version, purl, location: { path, layerIndex: 1, layerDigest: LAYER, layerDiffId: DIFF_ID }, cataloger: 'npm-package-json' });
    pkg.children.forEach(visit);
  };
  plan.topLevel.forEach(visit);
  return {
    reference: 'bench/npm-big@sha256:…',
    repository: 'bench/npm-big',
    platform: { os: 'linux', architecture: 'amd64' },
    manifestDigest: parseDigest(`sha256:${'3'.repeat(64)}`),
    configDigest: parseDigest(`sha256:${'4'.repeat(64)}`),
    distro: { id: 'debian', versionId: '12', codename: 'bookworm', source: '/etc/os-release' },
    layers: [
      { index: 0, digest: parseDigest(`sha256:${'5'.repeat(64)}`), diffId: parseDigest(`sha256:${'6'.repeat(64)}`), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 30_000_000, status: 'read' },
      { index: 1, digest: LAYER, diffId: DIFF_ID, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 90_000_000, status: 'read' },
    ],
    packages,
    warnings: [],
  };
}
