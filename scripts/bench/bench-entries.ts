import type { TarInput } from '../../tools/image-builder/tar-writer.ts';
import { DEBIAN_12_OS_RELEASE } from '../../tools/image-builder/debian-os-release.ts';
import { dpkgDatabase } from './dpkg-status.ts';
import { directories, npmAppEntries, npmTreeEntries, planNpmTree, type NpmTreePlan, type NpmTreeShape } from './npm-tree.ts';
import { Prng, randomBytes } from './prng.ts';
import { textPool } from './text-pool.ts';

/** What the verification scan must report for an image; anything else fails the bench. */
export interface ScanExpectation {
  /** Exactly this many packages of each type (purl type), and none of any other type. */
  readonly packages: Readonly<Record<string, number>>;
  readonly distro: { readonly id: string; readonly versionId: string };
}

interface CommonSpec {
  readonly name: string;
  readonly seed: number;
  readonly layers: number;
  readonly expect: ScanExpectation;
}

interface FilledSpec extends CommonSpec {
  /** Bytes of filler file content over the whole image (the tar adds headers and padding on top). */
  readonly contentBytes: number;
}

/** Debian 12 with a generated dpkg status: os-release in the first layer, the status in the last. */
export interface DpkgImageSpec extends FilledSpec {
  readonly kind: 'dpkg';
}

/**
 * Amazon Linux 2023 with its real rpm database: every layer holds os-release, the whole
 * rpmdb.sqlite, a file of its own and its share of the filler, so every layer's database is read.
 */
export interface RpmImageSpec extends FilledSpec {
  readonly kind: 'rpm';
  /** Files read from the shared fixtures at bench time (never copied into the repository). */
  readonly fixtures: { readonly osRelease: string; readonly rpmdb: string };
}

/**
 * Debian 12 (os-release and the generated dpkg status) in layer 0, then an application's
 * node_modules tree split over the other layers by top-level package (each with its nested copies).
 */
export interface NpmImageSpec extends CommonSpec {
  readonly kind: 'npm';
  readonly tree: NpmTreeShape;
}

export type ImageSpec = DpkgImageSpec | RpmImageSpec | NpmImageSpec;

/** The contents of an RpmImageSpec's fixtures. */
export interface RpmFixtureFiles {
  readonly osRelease: Buffer;
  readonly rpmdb: Buffer;
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
/** The directories every layer of an rpm image writes itself, before its filler. */
const RPM_LAYER_DIRS = ['usr', 'usr/lib', 'etc', 'var', 'var/lib', 'var/lib/rpm', 'var/lib/customs-bench'];

/** The tar entries of one dpkg image layer, generated lazily: at most one file's content is in memory. */
export function dpkgLayerEntries(spec: DpkgImageSpec, layer: number): Generator<TarInput> {
  return groupsOfLayer(spec, layer, dpkgGroups(spec));
}

/** The tar entries of one rpm image layer: the fixtures and a layer-unique file, then its filler. */
export function* rpmLayerEntries(spec: RpmImageSpec, layer: number, files: RpmFixtureFiles): Generator<TarInput> {
  for (const path of RPM_LAYER_DIRS) yield { type: 'dir', path };
  yield { type: 'file', path: 'usr/lib/os-release', content: files.osRelease };
  if (layer === 0) yield { type: 'symlink', path: 'etc/os-release', target: '../usr/lib/os-release' };
  const tag = String(layer).padStart(2, '0');
  yield { type: 'file', path: `var/lib/customs-bench/layer-${tag}`, content: `${spec.name} layer ${layer + 1} of ${spec.layers}\n` };
  yield { type: 'file', path: 'var/lib/rpm/rpmdb.sqlite', content: files.rpmdb };
  // Directory names only: the dpkg generator's package names make a plausible tree.
  const names = dpkgDatabase(spec.seed).names;
  yield* groupsOfLayer(spec, layer, fillerGroups(spec, new Prng(spec.seed), names, new Set(RPM_LAYER_DIRS)));
}

/** The tar entries of one npm image layer; plan is planNpmTree(spec.seed, spec.tree). */
export function* npmLayerEntries(spec: NpmImageSpec, plan: NpmTreePlan, layer: number): Generator<TarInput> {
  const made = new Set<string>();
  const dirs = (path: string): Generator<TarInput> => directories(path, made);
  if (layer === 0) {
    yield* dirs('usr/lib');
    yield { type: 'file', path: 'usr/lib/os-release', content: DEBIAN_12_OS_RELEASE };
    yield* dirs('etc');
    yield { type: 'symlink', path: 'etc/os-release', target: '../usr/lib/os-release' };
    yield* dirs('var/lib/dpkg');
    yield { type: 'file', path: 'var/lib/dpkg/status', content: dpkgDatabase(spec.seed).status };
    return;
  }
  const parts = spec.layers - 1;
  const count = plan.topLevel.length;
  if (layer === 1) yield* npmAppEntries(spec.seed, spec.tree, plan, made);
  yield* npmTreeEntries(spec.seed, plan, Math.floor(((layer - 1) * count) / parts), Math.floor((layer * count) / parts), made);
}

/** planNpmTree for a spec. */
export function npmPlanOf(spec: NpmImageSpec): NpmTreePlan {
  return planNpmTree(spec.seed, spec.tree);
}

function* groupsOfLayer(spec: FilledSpec, layer: number, groups: Iterable<EntryGroup>): Generator<TarInput> {
  const pool = textPool();
  for (const group of groups) {
    const owner = Math.min(spec.layers - 1, Math.floor((group.contentBefore * spec.layers) / spec.contentBytes));
    if (owner !== layer) continue;
    for (const entry of group.entries) yield materialize(spec, entry, pool);
  }
}

function materialize(spec: FilledSpec, entry: PlannedEntry, pool: Buffer): TarInput {
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

/** os-release first, the filler, then the dpkg status (in the last layer). */
function* dpkgGroups(spec: DpkgImageSpec): Generator<EntryGroup> {
  const random = new Prng(spec.seed);
  const dpkg = dpkgDatabase(spec.seed);
  const made = new Set<string>();
  const dirs = directoryMaker(made);
  yield {
    contentBefore: 0,
    entries: [
      ...dirs('usr/lib'),
      { type: 'text', path: 'usr/lib/os-release', content: DEBIAN_12_OS_RELEASE },
      ...dirs('etc'),
      { type: 'symlink', path: 'etc/os-release', target: '../usr/lib/os-release' },
    ],
  };
  yield* fillerGroups(spec, random, dpkg.names, made);
  yield { contentBefore: spec.contentBytes, entries: [...dirs('var/lib/dpkg'), { type: 'text', path: 'var/lib/dpkg/status', content: dpkg.status }] };
}

/** spec.contentBytes of files (text-like and incompressible, log-uniform sizes), a directory per group. */
function* fillerGroups(spec: FilledSpec, random: Prng, names: readonly string[], made: Set<string>): Generator<EntryGroup> {
  const dirs = directoryMaker(made);
  let content = 0;
  let id = 0;
  for (let group = 0; content < spec.contentBytes; group++) {
    const dir = directoryFor(random, names, group);
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
}

/** Entries for the directories of path not yet made (each written once per image). */
function directoryMaker(made: Set<string>): (path: string) => PlannedEntry[] {
  return (path) => {
    const missing: PlannedEntry[] = [];
    const parts = path.split('/');
    for (let depth = 1; depth <= parts.length; depth++) {
      const dir = parts.slice(0, depth).join('/');
      if (!made.has(dir)) missing.push({ type: 'dir', path: dir });
      made.add(dir);
    }
    return missing;
  };
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
