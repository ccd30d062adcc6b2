import { createHash } from 'node:crypto';
import type { OsvRecord } from '../../../lambdas/core/advisories/osv-schema.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import type { Severity } from '../../../lambdas/core/findings/model.ts';
import type { PackageRef, RawFinding } from '../../../lambdas/core/pipeline/model.ts';
import { toRawFinding } from '../../../lambdas/core/pipeline/raw-findings.ts';
import type { Package } from '../../../lambdas/core/sbom/model.ts';
import { sampleFinding, samplePackage } from '../../../test/support/sample-findings.ts';
import { Prng } from '../prng.ts';

/**
 * A SYNTHETIC registry for the findings API bench (seed 20261216): Debian 12 images in a few
 * repositories, each built on one of six base generations; an advisory's fix lands in a
 * generation, so older images carry more findings, as a real registry's do. Every image holds the
 * core sources (glibc, openssl…) and some extras, plus filler packages no advisory names, so its
 * SBOM and package index have a realistic size. Not advisory data: for cost runs only.
 */
export const FLEET_SEED = 20261216;
export const ECOSYSTEM = 'Debian:12';
export const GENERATIONS = 6;
export const REPOSITORIES = [
  { name: 'payments/api', images: 80 },
  { name: 'payments/worker', images: 50 },
  { name: 'web/frontend', images: 50 },
  { name: 'tools/ci', images: 20 },
] as const;
/** Packages no advisory names, per image: with the binaries of the held sources, about 150 in all. */
const FILLER_PACKAGES = 110;

const CORE_SOURCES = ['glibc', 'openssl', 'zlib', 'systemd', 'gnutls28', 'krb5', 'pam', 'shadow', 'util-linux', 'ncurses', 'bash', 'coreutils', 'tar', 'xz-utils', 'perl'];
const EXTRA_SOURCES = ['curl', 'libxml2', 'expat', 'sqlite3', 'python3.11', 'git', 'openssh', 'libtiff', 'libpng1.6', 'freetype', 'nghttp2', 'libssh2', 'libgcrypt20', 'e2fsprogs', 'cups', 'imagemagick', 'ghostscript', 'postgresql-15', 'nodejs', 'libwebp', 'libzstd', 'pcre2', 'gnupg2', 'apr'];

export interface FleetAdvisory {
  readonly id: string;
  readonly source: string;
  readonly severity: Severity;
  /** The generation whose base image carries the fix; undefined: no fix yet. */
  readonly fixedIn: number | undefined;
}

export interface FleetImage {
  readonly repository: string;
  readonly index: number;
  readonly digest: Digest;
  readonly generation: number;
  readonly tag: string;
  readonly sources: readonly string[];
  readonly packages: readonly Package[];
  readonly packageRefs: readonly PackageRef[];
  readonly findings: readonly RawFinding[];
}

export interface Fleet {
  readonly advisories: readonly FleetAdvisory[];
  readonly images: readonly FleetImage[];
  readonly records: readonly OsvRecord[];
}

const SEVERITIES: readonly [Severity, number][] = [
  ['CRITICAL', 0.04],
  ['HIGH', 0.2],
  ['MEDIUM', 0.4],
  ['LOW', 0.3],
  ['UNKNOWN', 0.06],
];

/** The well-known glibc one is pinned: fixed in generation 3, so about half the images have it. */
export const COMMON_VULNERABILITY = 'CVE-2023-4911';

const versionOf = (generation: number): string => `1.${generation}.0-1`;
const binaryOf = (source: string, n: number): string => (n === 0 ? source : `lib${source}-${n}`);

export function buildFleet(): Fleet {
  const random = new Prng(FLEET_SEED);
  const pick = (): Severity => {
    let roll = random.next();
    for (const [severity, share] of SEVERITIES) if ((roll -= share) < 0) return severity;
    return 'LOW';
  };
  let cve = 30_000;
  const advisories: FleetAdvisory[] = [{ id: COMMON_VULNERABILITY, source: 'glibc', severity: 'HIGH', fixedIn: 3 }];
  for (const source of [...CORE_SOURCES, ...EXTRA_SOURCES]) {
    for (let n = random.logUniform(1, 8); n > 0; n--) {
      // Debian leaves mostly minor issues unfixed (no-dsa): an unfixed one is at most MEDIUM, so the newest bases can pass.
      const severity = pick();
      const unfixed = random.next() < 0.12;
      advisories.push({ id: `CVE-2024-${String(cve++)}`, source, severity: unfixed && (severity === 'CRITICAL' || severity === 'HIGH') ? 'MEDIUM' : severity, fixedIn: unfixed ? undefined : random.int(1, GENERATIONS) });
    }
  }
  const bySource = new Map<string, FleetAdvisory[]>();
  for (const advisory of advisories) bySource.set(advisory.source, [...(bySource.get(advisory.source) ?? []), advisory]);
  const images: FleetImage[] = [];
  for (const repository of REPOSITORIES) {
    for (let index = 0; index < repository.images; index++) {
      // Older pushes are on older bases: generation rises with the push order.
      const generation = Math.min(GENERATIONS - 1, Math.floor((index / repository.images) * GENERATIONS + random.next() * 0.8));
      const extras = EXTRA_SOURCES.filter(() => random.next() < 0.35);
      const sources = [...CORE_SOURCES, ...extras];
      const version = versionOf(generation);
      const binaries = sources.flatMap((source) => [0, 1].map((n) => samplePackage({ name: binaryOf(source, n), version, source: { name: source, version }, purl: `pkg:deb/debian/${binaryOf(source, n)}@${version}?arch=amd64&distro=debian-12` })));
      const filler = Array.from({ length: FILLER_PACKAGES }, (_, n) => samplePackage({ name: `filler-${String(n)}`, version: '1.0-1', source: { name: `filler-${String(n)}`, version: '1.0-1' }, purl: `pkg:deb/debian/filler-${String(n)}@1.0-1?arch=amd64&distro=debian-12` }));
      const findings = binaries.flatMap((pkg) =>
        (bySource.get(pkg.source!.name) ?? [])
          .filter((advisory) => advisory.fixedIn === undefined || advisory.fixedIn > generation)
          .map((advisory) => findingOf(advisory, pkg)),
      );
      const digest = parseDigest(`sha256:${createHash('sha256').update(`${FLEET_SEED}/${repository.name}/${String(index)}`).digest('hex')}`);
      const packages = [...binaries, ...filler];
      images.push({
        repository: repository.name,
        index,
        digest,
        generation,
        tag: `1.${String(index)}.0`,
        sources,
        packages,
        packageRefs: [...new Set(packages.map((pkg) => pkg.source!.name))].map((name) => ({ ecosystem: ECOSYSTEM, name })),
        findings,
      });
    }
  }
  return { advisories, images, records: advisories.map(recordOf) };
}

function findingOf(advisory: FleetAdvisory, pkg: Package): RawFinding {
  const fixed = advisory.fixedIn === undefined ? [] : [versionOf(advisory.fixedIn)];
  return toRawFinding(
    sampleFinding({
      id: advisory.id,
      aliases: [`DEBIAN-${advisory.id}`],
      package: pkg,
      installedVersion: pkg.version,
      fixedVersions: fixed,
      severity: advisory.severity === 'UNKNOWN' ? { severity: 'UNKNOWN', kind: 'none' } : { severity: advisory.severity, kind: 'distribution', source: 'Debian urgency' },
      title: `synthetic advisory for ${advisory.source}`,
      references: [],
      advisories: [{ id: `DEBIAN-${advisory.id}`, ecosystem: ECOSYSTEM, name: advisory.source, fixedVersions: fixed, modified: '2026-11-01T00:00:00Z' }],
      published: '2026-10-01T00:00:00Z',
    }),
  );
}

function recordOf(advisory: FleetAdvisory): OsvRecord {
  const events = [{ introduced: '0' }, ...(advisory.fixedIn === undefined ? [] : [{ fixed: versionOf(advisory.fixedIn) }])];
  return { id: `DEBIAN-${advisory.id}`, modified: '2026-11-01T00:00:00Z', aliases: [advisory.id], affected: [{ package: { ecosystem: ECOSYSTEM, name: advisory.source }, ranges: [{ type: 'ECOSYSTEM', events }] }] } as OsvRecord;
}
