import type { TarInput } from '../../../tools/image-builder/tar-writer.ts';
import { dpkgLayerEntries, type DpkgImageSpec } from '../bench-entries.ts';
import { dpkgDatabase } from '../dpkg-status.ts';
import type { ImageSource } from '../image-sources.ts';
import { npmAppEntries, npmTreeEntries, planNpmTree, type NpmTreeShape } from '../npm-tree.ts';

/**
 * The reference image: a Debian 12 base layer with REFERENCE_DEB installed packages (the
 * bench's generated dpkg database cut to size, plus linux-libc-dev, whose source `linux` carries
 * the most advisories of any Debian package) and the bench's filler for its bytes, under one
 * application layer: a Node.js app with a small node_modules.
 */
export const REFERENCE_DEB = 300;
const SEED = 12;
const BASE_BYTES = 160 * 1024 * 1024;
const APP: NpmTreeShape = { app: 'srv/app', topLevel: 150, nested: 50 };
/** linux-libc-dev as in bookworm point releases; the synthetic linux advisories are placed around it. */
export const LINUX_VERSION = { major: 6, minor: 1, patch: 119, text: '6.1.119-1' } as const;
/** Bump when what this file writes changes: the cached layout is rebuilt. */
const GENERATOR = 'pipeline-reference-1';

export interface InstalledSource {
  readonly source: string;
  readonly version: string;
}

const plan = planNpmTree(SEED, APP);

const LINUX_STANZA = [
  'Package: linux-libc-dev',
  'Status: install ok installed',
  'Priority: optional',
  'Section: devel',
  'Installed-Size: 7552',
  'Maintainer: Debian Kernel Team <debian-kernel@lists.debian.org>',
  'Architecture: amd64',
  'Multi-Arch: same',
  'Source: linux',
  `Version: ${LINUX_VERSION.text}`,
  'Description: Linux support headers for userspace development',
].join('\n');

/** The reference image's dpkg status: REFERENCE_DEB - 1 generated packages, linux-libc-dev, one removed package. */
export function referenceDpkgStatus(): string {
  const stanzas = dpkgDatabase(SEED).status.trimEnd().split('\n\n');
  const installed = stanzas.filter((stanza) => stanza.includes('Status: install ok installed')).slice(0, REFERENCE_DEB - 1);
  const removed = stanzas.filter((stanza) => !stanza.includes('Status: install ok installed'));
  return `${[...installed, LINUX_STANZA, ...removed].join('\n\n')}\n`;
}

/** Each installed package's source and version, as the synthetic advisories are written against. */
export function referenceSources(): InstalledSource[] {
  const sources = new Map<string, string>();
  for (const stanza of referenceDpkgStatus().split('\n\n')) {
    if (!stanza.includes('Status: install ok installed')) continue;
    const field = (name: string): string | undefined => new RegExp(`^${name}: (.+)$`, 'm').exec(stanza)?.[1];
    const version = field('Version')!;
    const source = field('Source')?.replace(/ \(.*\)$/, '') ?? field('Package')!;
    sources.set(source, version);
  }
  return [...sources].map(([source, version]) => ({ source, version }));
}

const spec: DpkgImageSpec = {
  name: 'debian12-300deb-app',
  kind: 'dpkg',
  seed: SEED,
  contentBytes: BASE_BYTES,
  layers: 2,
  expect: { packages: { deb: REFERENCE_DEB, npm: plan.manifests }, distro: { id: 'debian', versionId: '12' } },
};

function* baseLayer(): Generator<TarInput> {
  const status = referenceDpkgStatus();
  for (const entry of dpkgLayerEntries({ ...spec, layers: 1 }, 0)) {
    yield entry.type === 'file' && entry.path === 'var/lib/dpkg/status' ? { ...entry, content: status } : entry;
  }
}

function* appLayer(): Generator<TarInput> {
  const made = new Set<string>();
  yield* npmAppEntries(SEED, APP, plan, made);
  yield* npmTreeEntries(SEED, plan, 0, plan.topLevel.length, made);
}

export const REFERENCE_IMAGE: ImageSource = {
  spec,
  inputs: { generator: GENERATOR },
  layerEntries: (layer) => (layer === 0 ? baseLayer() : appLayer()),
};
