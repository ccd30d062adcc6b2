import type { OsvAffected, OsvRange, OsvRecord } from '../../lambdas/core/advisories/osv-schema.ts';
import { Prng } from './prng.ts';

/**
 * A seeded synthetic OSV set for the advisory lookup bench: records spread over npm, PyPI, Go, Maven
 * and Debian:12 the way a real mirror skews (npm and PyPI heavy), ids in each database's own shape,
 * 1–3 affected ranges per package with introduced/fixed events, and a lookup stream over it.
 */
export const SYNTH_ECOSYSTEMS = ['npm', 'PyPI', 'Go', 'Maven', 'Debian:12'] as const;
export type SynthEcosystem = (typeof SYNTH_ECOSYSTEMS)[number];

/** Share of records per ecosystem, roughly as in osv.dev. */
const WEIGHTS: Readonly<Record<SynthEcosystem, number>> = { npm: 0.3, PyPI: 0.22, Go: 0.13, Maven: 0.15, 'Debian:12': 0.2 };

const WORDS = [
  'core', 'http', 'json', 'yaml', 'auth', 'crypto', 'parse', 'stream', 'cache', 'log', 'util', 'client',
  'server', 'proxy', 'token', 'image', 'xml', 'sql', 'orm', 'queue', 'mail', 'path', 'glob', 'config',
  'schema', 'form', 'ws', 'socket', 'render', 'template', 'color', 'date', 'time', 'zip', 'tar', 'gzip',
  'mime', 'url', 'cookie', 'session', 'jwt', 'oauth', 'redis', 'mongo', 'pg', 'ssh', 'tls', 'dns',
];

export interface SynthPackage {
  readonly ecosystem: SynthEcosystem;
  readonly name: string;
}

export interface SynthSet {
  readonly records: OsvRecord[];
  /** Every package named by some record. */
  readonly packages: SynthPackage[];
}

function packageName(ecosystem: SynthEcosystem, prng: Prng, serial: number): string {
  const a = prng.pick(WORDS);
  const b = prng.pick(WORDS);
  switch (ecosystem) {
    case 'npm':
      return prng.chance(0.25) ? `@${a}-org/${b}-${serial.toString(36)}` : `${a}-${b}-${serial.toString(36)}`;
    case 'PyPI':
      // Mixed case and separators, so PEP 503 normalisation has work to do.
      return prng.chance(0.3) ? `Py${a[0]!.toUpperCase()}${a.slice(1)}_${b}.${serial.toString(36)}` : `${a}-${b}-${serial.toString(36)}`;
    case 'Go':
      return `github.com/${a}${serial % 997}/${b}-${serial.toString(36)}${prng.chance(0.4) ? `/v${prng.int(2, 5)}` : ''}`;
    case 'Maven':
      return `org.${a}.${b}:${b}-${a}-${serial.toString(36)}`;
    case 'Debian:12':
      return `lib${a}${b}${serial.toString(36)}`;
  }
}

/** A version as the ecosystem writes it, from three numbers. */
export function versionFor(ecosystem: SynthEcosystem, major: number, minor: number, patch: number): string {
  switch (ecosystem) {
    case 'npm':
    case 'Maven':
      return `${major}.${minor}.${patch}`;
    case 'PyPI':
      return patch === 0 && minor % 3 === 0 ? `${major}.${minor}` : `${major}.${minor}.${patch}`;
    case 'Go':
      return `v${major}.${minor}.${patch}`;
    case 'Debian:12':
      return `${major % 3 === 0 ? '1:' : ''}${major}.${minor}.${patch}-${(patch % 4) + 1}${minor % 5 === 0 ? '+deb12u1' : ''}`;
  }
}

/** A random version of the ecosystem's shape, spread over the span the ranges cover. */
export function randomVersion(ecosystem: SynthEcosystem, prng: Prng): string {
  return versionFor(ecosystem, prng.int(0, 8), prng.int(0, 20), prng.int(0, 30));
}

function recordId(ecosystem: SynthEcosystem, prng: Prng, serial: number): string {
  const year = 2015 + (serial % 11);
  const ghsa = (): string => {
    const alphabet = '23456789cfghjmpqrvwx';
    const part = (): string => Array.from({ length: 4 }, () => prng.pick([...alphabet])).join('');
    return `GHSA-${part()}-${part()}-${part()}`;
  };
  switch (ecosystem) {
    case 'npm':
    case 'Maven':
      return `${ghsa()}-${serial}`;
    case 'PyPI':
      return prng.chance(0.5) ? `PYSEC-${year}-${serial}` : `${ghsa()}-${serial}`;
    case 'Go':
      return `GO-${year}-${serial}`;
    case 'Debian:12':
      return `DEBIAN-CVE-${year}-${serial}`;
  }
}

function ranges(ecosystem: SynthEcosystem, prng: Prng): OsvRange[] {
  const count = prng.int(1, 4);
  const type = ecosystem === 'npm' || ecosystem === 'Go' ? 'SEMVER' : 'ECOSYSTEM';
  const result: OsvRange[] = [];
  // Disjoint ranges in increasing majors, so the events are realistic (introduced < fixed).
  let major = prng.int(0, 3);
  for (let i = 0; i < count; i++) {
    const introducedMinor = prng.int(0, 10);
    const introduced = i === 0 && prng.chance(0.3) ? '0' : versionFor(ecosystem, major, introducedMinor, prng.int(0, 5));
    // Go and npm SEMVER ranges drop the Go `v`, as OSV writes them.
    const fixedVersion = versionFor(ecosystem, major, introducedMinor + prng.int(1, 10), prng.int(0, 30));
    const fixed = ecosystem === 'Go' ? fixedVersion.slice(1) : fixedVersion;
    const intro = ecosystem === 'Go' && introduced !== '0' ? introduced.slice(1) : introduced;
    result.push({ type, events: prng.chance(0.05) ? [{ introduced: intro }] : [{ introduced: intro }, { fixed }] });
    major += prng.int(1, 3);
  }
  return result;
}

/** `recordCount` records over about `packageCount` distinct packages. */
export function synthesizeOsv(seed: number, recordCount: number, packageCount: number): SynthSet {
  const prng = new Prng(seed);
  const packages: SynthPackage[] = [];
  const byEcosystem = new Map<SynthEcosystem, SynthPackage[]>();
  let serial = 0;
  for (const ecosystem of SYNTH_ECOSYSTEMS) {
    const list: SynthPackage[] = [];
    const wanted = Math.round(packageCount * WEIGHTS[ecosystem]);
    for (let i = 0; i < wanted; i++) list.push({ ecosystem, name: packageName(ecosystem, prng, serial++) });
    byEcosystem.set(ecosystem, list);
    packages.push(...list);
  }
  const records: OsvRecord[] = [];
  const cumulative = SYNTH_ECOSYSTEMS.map((_, i) => SYNTH_ECOSYSTEMS.slice(0, i + 1).reduce((sum, e) => sum + WEIGHTS[e], 0));
  for (let i = 0; i < recordCount; i++) {
    const roll = prng.next();
    const ecosystem = SYNTH_ECOSYSTEMS[cumulative.findIndex((limit) => roll < limit)] ?? 'npm';
    const list = byEcosystem.get(ecosystem)!;
    // The first pass covers every package once; later records skew to popular packages.
    const pkg = i < packages.length ? packages[i]! : list[Math.min(list.length - 1, prng.logUniform(1, list.length + 1) - 1)]!;
    const affectedPackages = [pkg];
    if (prng.chance(0.1)) affectedPackages.push(prng.pick(byEcosystem.get(pkg.ecosystem)!));
    const affected: OsvAffected[] = affectedPackages.map((p) => ({
      package: { ecosystem: p.ecosystem, name: p.name },
      ranges: ranges(p.ecosystem, prng),
    }));
    const year = 2015 + (i % 11);
    records.push({
      schema_version: '1.6.0',
      id: recordId(pkg.ecosystem, prng, i),
      modified: `${year}-0${1 + (i % 9)}-1${i % 10}T00:00:00Z`,
      published: `${year}-0${1 + (i % 9)}-0${1 + (i % 9)}T00:00:00Z`,
      aliases: [`CVE-${year}-${10000 + i}`],
      summary: `${prng.pick(WORDS)} ${prng.pick(WORDS)} allows ${prng.pick(['denial of service', 'code execution', 'path traversal', 'prototype pollution'])}`,
      details: `Versions of ${pkg.name} before the fixed release mishandle ${prng.pick(WORDS)} input.`,
      affected,
      references: [{ type: 'ADVISORY', url: `https://example.test/advisories/${i}` }],
      ...(prng.chance(0.01) ? { withdrawn: `${year}-12-01T00:00:00Z` } : {}),
    });
  }
  return { records, packages };
}

export interface SynthLookup {
  readonly ecosystem: SynthEcosystem;
  readonly name: string;
  readonly version: string;
}

/** A seeded stream of lookups: `hitRate` of them name a package with records, the rest one without. */
export function lookupStream(seed: number, packages: readonly SynthPackage[], count: number, hitRate: number): SynthLookup[] {
  const prng = new Prng(seed);
  const lookups: SynthLookup[] = [];
  for (let i = 0; i < count; i++) {
    const pkg = prng.pick(packages);
    const name = prng.chance(hitRate) ? pkg.name : `${pkg.name}-absent${i % 1000}`;
    lookups.push({ ecosystem: pkg.ecosystem, name, version: randomVersion(pkg.ecosystem, prng) });
  }
  return lookups;
}
