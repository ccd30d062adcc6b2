import type { TarInput } from '../../tools/image-builder/tar-writer.ts';
import { Prng } from './prng.ts';
import { textPool } from './text-pool.ts';

/** The shape of a generated node_modules tree. */
export interface NpmTreeShape {
  /** Where the application lives; its tree is `<app>/node_modules`. */
  readonly app: string;
  /** Packages hoisted to `<app>/node_modules`. */
  readonly topLevel: number;
  /** Copies installed under another package's own node_modules (`a/node_modules/b`, up to 3 deep). */
  readonly nested: number;
}

/** One installed package: its folder holds its own package.json, so it is one npm package of the scan. */
interface PlannedPackage {
  readonly dir: string;
  readonly name: string;
  readonly version: string;
  readonly depth: number;
  readonly children: PlannedPackage[];
}

export interface NpmTreePlan {
  /** Top-level packages in tar order; each carries its nested copies. */
  readonly topLevel: readonly PlannedPackage[];
  /** Installed package.json manifests, one per install path: exactly the npm packages a scan must find. */
  readonly manifests: number;
}

const KiB = 1024;
const SCOPED_SHARE = 0.15;
/** Share of nested copies that are not also hoisted under the same name (the rest duplicate a top-level name at another version). */
const FRESH_NESTED_SHARE = 0.1;
const SYLLABLES = ['ab', 'ba', 'co', 'de', 'el', 'fu', 'gi', 'ha', 'is', 'jo', 'ke', 'lo', 'my', 'no', 'ob', 'pi', 'qu', 'ra', 'si', 'tu', 'up', 'vo', 'wa', 'xe', 'yo', 'zi'];
const SUFFIXES = ['', '', '', '-js', '-utils', '-core', '-parser', '-plugin', '-loader', '-cli', '-types', '-compat'];
const LIB_FILES = ['index', 'utils', 'parse', 'format', 'core', 'compat', 'errors', 'stream', 'types', 'constants', 'helpers', 'validate'];
const LICENSES = ['MIT', 'MIT', 'MIT', 'ISC', 'Apache-2.0', 'BSD-3-Clause', 'BSD-2-Clause'];

/** The packages of the tree, without any file content: cheap, so the expected count is known up front. */
export function planNpmTree(seed: number, shape: NpmTreeShape): NpmTreePlan {
  const random = new Prng(seed ^ 0x6e706d);
  const scopes = Array.from({ length: 60 }, () => `@${word(random, 1, 3)}`);
  const taken = new Set<string>();
  const fresh = (): string => {
    for (;;) {
      const base = `${word(random, 1, 4)}${random.pick(SUFFIXES)}`;
      const name = random.chance(SCOPED_SHARE) ? `${random.pick(scopes)}/${base}` : base;
      if (!taken.has(name)) {
        taken.add(name);
        return name;
      }
    }
  };
  const root = `${shape.app}/node_modules`;
  const topLevel: PlannedPackage[] = [];
  const hoisted = new Map<string, string>();
  for (let index = 0; index < shape.topLevel; index++) {
    const name = fresh();
    const version = semver(random);
    hoisted.set(name, version);
    topLevel.push({ dir: `${root}/${name}`, name, version, depth: 1, children: [] });
  }
  topLevel.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)); // npm's on-disk order looks alphabetical
  const hoistedNames = [...hoisted.keys()];
  const parents: PlannedPackage[] = [...topLevel];
  const used = new Set<string>();
  for (let count = 0; count < shape.nested; ) {
    // Most nesting is one level; a parent that is itself nested gives a deeper path.
    const parent = random.chance(0.85) ? random.pick(topLevel) : random.pick(parents);
    if (parent.depth >= 3) continue;
    const name = random.chance(FRESH_NESTED_SHARE) ? fresh() : random.pick(hoistedNames);
    const dir = `${parent.dir}/node_modules/${name}`;
    if (name === parent.name || used.has(dir)) continue;
    let version = semver(random);
    while (version === hoisted.get(name)) version = semver(random);
    used.add(dir);
    const child: PlannedPackage = { dir, name, version, depth: parent.depth + 1, children: [] };
    parent.children.push(child);
    parents.push(child);
    count++;
  }
  for (const pkg of parents) pkg.children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { topLevel, manifests: shape.topLevel + shape.nested };
}

/**
 * The tar entries of the top-level packages [from, to) and everything nested under them, generated
 * lazily (one file's content at a time). `made` holds the directories this layer has written.
 */
export function* npmTreeEntries(seed: number, plan: NpmTreePlan, from: number, to: number, made: Set<string>): Generator<TarInput> {
  const pool = textPool();
  const packages = plan.topLevel.slice(from, to);
  const stack = [...packages].reverse();
  while (stack.length > 0) {
    const pkg = stack.pop()!;
    yield* packageEntries(seed, pkg, pool, made);
    for (let index = pkg.children.length - 1; index >= 0; index--) stack.push(pkg.children[index]!);
  }
}

/** The application's own files beside node_modules: its manifest (an app manifest, not a package) and an entry point. */
export function* npmAppEntries(seed: number, shape: NpmTreeShape, plan: NpmTreePlan, made: Set<string>): Generator<TarInput> {
  const random = new Prng(seed ^ 0xa99);
  yield* directories(shape.app, made);
  const dependencies = Object.fromEntries(plan.topLevel.filter(() => random.chance(0.01)).map((pkg) => [pkg.name, `^${pkg.version}`]));
  const manifest = { name: 'bench-app', version: '1.0.0', private: true, main: 'server.js', dependencies };
  yield { type: 'file', path: `${shape.app}/package.json`, content: `${JSON.stringify(manifest, null, 2)}\n` };
  yield { type: 'file', path: `${shape.app}/server.js`, content: "'use strict';\nrequire('http').createServer((_, res) => res.end('ok')).listen(8080);\n" };
}

function* packageEntries(seed: number, pkg: PlannedPackage, pool: Buffer, made: Set<string>): Generator<TarInput> {
  // Each package's files depend only on its path, so any slice of the tree can be built alone.
  const random = new Prng(seed ^ hash(pkg.dir));
  yield* directories(pkg.dir, made);
  const slice = (min: number, max: number): Buffer => {
    const size = random.logUniform(min, max);
    const offset = random.int(0, pool.length - size);
    return pool.subarray(offset, offset + size);
  };
  const libs = Array.from(new Set(Array.from({ length: random.int(1, 7) }, () => random.pick(LIB_FILES))));
  const license = random.pick(LICENSES);
  const deps = random.int(0, 5);
  const manifest = {
    name: pkg.name,
    version: pkg.version,
    description: `The ${pkg.name.replace(/^@.*\//, '')} module for ${word(random, 2, 4)} ${word(random, 2, 4)}`,
    main: 'index.js',
    ...(random.chance(0.3) ? { types: 'lib/index.d.ts' } : {}),
    license,
    repository: { type: 'git', url: `git+https://github.com/${word(random, 1, 3)}/${pkg.name.replace(/^@.*\//, '')}.git` },
    ...(deps > 0 ? { dependencies: Object.fromEntries(Array.from({ length: deps }, () => [word(random, 1, 4), `^${semver(random)}`])) } : {}),
    ...(random.chance(0.4) ? { keywords: Array.from({ length: random.int(1, 6) }, () => word(random, 1, 3)) } : {}),
    engines: { node: `>=${random.int(6, 19)}` },
  };
  yield { type: 'file', path: `${pkg.dir}/package.json`, content: `${JSON.stringify(manifest, null, 2)}\n` };
  yield { type: 'file', path: `${pkg.dir}/README.md`, content: Buffer.concat([Buffer.from(`# ${pkg.name}\n\n`), slice(200, 12 * KiB)]) };
  if (random.chance(0.75)) yield { type: 'file', path: `${pkg.dir}/LICENSE`, content: licenseText(license, 2010 + random.int(0, 16), word(random, 2, 4)) };
  yield { type: 'file', path: `${pkg.dir}/index.js`, content: `'use strict';\nmodule.exports = require('./lib/${libs[0]}.js');\n` };
  yield* directories(`${pkg.dir}/lib`, made);
  for (const lib of libs) yield { type: 'file', path: `${pkg.dir}/lib/${lib}.js`, content: slice(80, 24 * KiB) };
  // A package.json that is not a package's own manifest: the scanner must read it and drop it.
  if (random.chance(0.05)) {
    yield* directories(`${pkg.dir}/esm`, made);
    yield { type: 'file', path: `${pkg.dir}/esm/package.json`, content: '{\n  "type": "module"\n}\n' };
    yield { type: 'file', path: `${pkg.dir}/esm/index.mjs`, content: slice(80, 8 * KiB) };
  }
  if (random.chance(0.03)) {
    yield* directories(`${pkg.dir}/bin`, made);
    yield { type: 'file', path: `${pkg.dir}/bin/cli.js`, mode: 0o755, content: `#!/usr/bin/env node\nrequire('../index.js');\n` };
  }
}

/** Entries for the directories of path that `made` does not hold yet (parents first). */
export function* directories(path: string, made: Set<string>): Generator<TarInput> {
  const parts = path.split('/');
  for (let depth = 1; depth <= parts.length; depth++) {
    const dir = parts.slice(0, depth).join('/');
    if (made.has(dir)) continue;
    made.add(dir);
    yield { type: 'dir', path: dir };
  }
}

function licenseText(license: string, year: number, holder: string): string {
  if (license !== 'MIT' && license !== 'ISC') return `${license} License\n\nCopyright (c) ${year} ${holder}\n\nSee https://spdx.org/licenses/${license}.html\n`;
  return `${license} License\n\nCopyright (c) ${year} ${holder}\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the "Software"), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.\n`;
}

function semver(random: Prng): string {
  const pre = random.chance(0.03) ? `-${random.pick(['alpha', 'beta', 'rc'])}.${random.int(0, 5)}` : '';
  return `${random.logUniform(1, 30) - 1}.${random.int(0, 25)}.${random.int(0, 15)}${pre}`;
}

function word(random: Prng, min: number, max: number): string {
  let text = '';
  for (let count = random.int(min, max + 1); count > 0; count--) text += random.pick(SYLLABLES);
  return text;
}

/** FNV-1a: a stable 32-bit seed from a path. */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) value = Math.imul(value ^ text.charCodeAt(index), 0x01000193);
  return value >>> 0;
}
