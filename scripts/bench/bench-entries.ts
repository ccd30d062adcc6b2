import type { TarInput } from '../../tools/image-builder/tar-writer.ts';
import { DEBIAN_12_OS_RELEASE } from '../../tools/image-builder/debian-os-release.ts';
import { dpkgDatabase } from './dpkg-status.ts';
import { Prng, randomBytes } from './prng.ts';
import { textPool } from './text-pool.ts';

export interface ImageSpec {
  readonly name: string;
  readonly seed: number;
  /** Bytes of file content to generate (the tar adds headers and padding on top). */
  readonly contentBytes: number;
  readonly layers: number;
}

/** An entry before its content exists, so a layer's plan can be walked without generating the rest. */
type PlannedEntry =
  | { readonly type: 'dir'; readonly path: string }
  | { readonly type: 'symlink'; readonly path: string; readonly target: string }
  | { readonly type: 'hardlink'; readonly path: string; readonly target: string }
  | { readonly type: 'file'; readonly path: string; readonly size: number; readonly random: boolean; readonly id: number }
  | { readonly type: 'text'; readonly path: string; readonly content: string };

/** The entries of one directory: layers split between groups so hard links stay in their layer. */
interface EntryGroup {
  readonly entries: readonly PlannedEntry[];
  readonly contentBefore: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;
/** Share of files that are incompressible (compressed assets, stripped binaries); sets the gzip ratio. */
const RANDOM_SHARE = 0.15;
const TEXT_EXTENSIONS = ['txt', 'py', 'conf', 'h', 'md', 'json', 'sh', 'pl'];
const RANDOM_EXTENSIONS = ['so', 'gz', 'png', 'bin', 'jar', 'mo'];

/** The tar entries of one layer, generated lazily: at most one file's content is in memory. */
export function* layerEntries(spec: ImageSpec, layer: number): Generator<TarInput> {
  const pool = textPool();
  for (const group of planGroups(spec)) {
    const owner = Math.min(spec.layers - 1, Math.floor((group.contentBefore * spec.layers) / spec.contentBytes));
    if (owner !== layer) continue;
    for (const entry of group.entries) yield materialize(spec, entry, pool);
  }
}

function materialize(spec: ImageSpec, entry: PlannedEntry, pool: Buffer): TarInput {
  switch (entry.type) {
    case 'dir':
    case 'symlink':
    case 'hardlink':
      return entry;
    case 'text':
      return { type: 'file', path: entry.path, content: entry.content };
    case 'file': {
      if (entry.random) return { type: 'file', path: entry.path, content: randomBytes(spec.seed, entry.id, entry.size) };
      const offset = new Prng(spec.seed ^ entry.id).int(0, pool.length - entry.size);
      return { type: 'file', path: entry.path, content: pool.subarray(offset, offset + entry.size) };
    }
  }
}

function* planGroups(spec: ImageSpec): Generator<EntryGroup> {
  const random = new Prng(spec.seed);
  const dpkg = dpkgDatabase(spec.seed);
  const made = new Set<string>();
  const dirs = (path: string): PlannedEntry[] => {
    const missing: PlannedEntry[] = [];
    const parts = path.split('/');
    for (let depth = 1; depth <= parts.length; depth++) {
      const dir = parts.slice(0, depth).join('/');
      if (!made.has(dir)) missing.push({ type: 'dir', path: dir });
      made.add(dir);
    }
    return missing;
  };
  yield {
    contentBefore: 0,
    entries: [
      ...dirs('usr/lib'),
      { type: 'text', path: 'usr/lib/os-release', content: DEBIAN_12_OS_RELEASE },
      ...dirs('etc'),
      { type: 'symlink', path: 'etc/os-release', target: '../usr/lib/os-release' },
    ],
  };
  let content = 0;
  let id = 0;
  for (let group = 0; content < spec.contentBytes; group++) {
    const dir = directoryFor(random, dpkg.names, group);
    const entries = dirs(dir);
    const before = content;
    let lastFile: string | undefined;
    for (let count = random.int(1, 24); count > 0 && content < spec.contentBytes; count--) {
      const size = random.chance(0.01) ? 0 : random.chance(0.02) ? random.logUniform(64 * KiB, 3 * MiB) : random.logUniform(16, 64 * KiB);
      const isRandom = random.chance(RANDOM_SHARE);
      const name = `f${group}-${count}.${random.pick(isRandom ? RANDOM_EXTENSIONS : TEXT_EXTENSIONS)}`;
      const path = `${dir}/${name}`;
      entries.push({ type: 'file', path, size, random: isRandom, id: id++ });
      content += size;
      if (random.chance(0.03)) entries.push({ type: 'symlink', path: `${path}.link`, target: name });
      if (lastFile && random.chance(0.0004)) entries.push({ type: 'hardlink', path: `${path}.hard`, target: lastFile });
      lastFile = path;
    }
    yield { contentBefore: before, entries };
  }
  yield { contentBefore: content, entries: [...dirs('var/lib/dpkg'), { type: 'text', path: 'var/lib/dpkg/status', content: dpkg.status }] };
}

function directoryFor(random: Prng, packages: readonly string[], group: number): string {
  const pkg = random.pick(packages);
  switch (random.int(0, 5)) {
    case 0:
      return `usr/share/doc/${pkg}`;
    case 1:
      return `usr/lib/x86_64-linux-gnu/${pkg}`;
    case 2:
      return `usr/share/${pkg}/d${group}`;
    case 3:
      return `usr/lib/python3/dist-packages/${pkg}/m${group}`;
    default:
      return `opt/app/node_modules/${pkg}/lib/d${group}`;
  }
}
