import type { OsvAffected, OsvRecord } from '../../../lambdas/core/advisories/osv-schema.ts';
import { Prng } from '../prng.ts';
import { LINUX_VERSION, type InstalledSource } from './reference-image.ts';

/**
 * SYNTHETIC, for cost and load runs only, never for accuracy: a Debian-sized advisory volume for
 * Debian:12 written the way Debian's OSV records are (by source package, ECOSYSTEM ranges, the
 * affected versions listed, the CVE as `upstream`, an entry for bookworm and one for bullseye). The
 * shared fixtures hold a handful of Debian records; a real mirror holds thousands for `linux` alone,
 * and reading them is what a Debian image's lookups cost.
 *
 * - `linux`: LINUX_RECORDS records around the installed linux-libc-dev: most fixed below it, some
 *   fixed in a later point release, some with no fix (which a scan reports as findings);
 * - every other source of the image: 1–120 records (log-uniform), the same three kinds;
 * - OTHER_SOURCES sources the image does not have: 1–60 records each (volume the scan never reads).
 */
export const SYNTHETIC_LABEL = 'SYNTHETIC Debian:12 volume (cost and load runs only)';
export const LINUX_RECORDS = 5_000;
export const OTHER_SOURCES = 300;
/** Shares of records that affect the installed version: fixed in a later release, and not fixed at all. */
export const AFFECTING = { fixedLater: 0.03, unfixed: 0.05 } as const;
const SEED = 20261212;

const WORDS = ['buffer', 'overflow', 'use-after-free', 'in', 'the', 'function', 'when', 'handling', 'crafted', 'input', 'may', 'allow', 'local', 'remote', 'attackers', 'to', 'cause', 'a', 'denial', 'of', 'service', 'or', 'possibly', 'execute', 'arbitrary', 'code', 'via', 'race', 'condition', 'null', 'pointer', 'dereference', 'driver', 'netfilter', 'memory', 'leak', 'kernel', 'subsystem', 'improper', 'validation', 'length'];

export interface SyntheticVolume {
  readonly records: OsvRecord[];
  readonly linux: number;
  readonly imageSources: number;
  readonly otherSources: number;
}

export function syntheticDebianVolume(installed: readonly InstalledSource[]): SyntheticVolume {
  const random = new Prng(SEED);
  const records: OsvRecord[] = [];
  let serial = 0;
  /** `versions` lists affected versions as Debian's records do: only those below the fix. */
  const add = (source: string, fixedBelow: () => string, fixedAbove: () => string, listed: (fixed: string, affectsInstalled: boolean) => string[]): void => {
    const roll = random.next();
    const affects = roll < AFFECTING.unfixed + AFFECTING.fixedLater;
    const fixed = roll < AFFECTING.unfixed ? undefined : affects ? fixedAbove() : fixedBelow();
    records.push(record(random, serial++, source, fixed, fixed ? listed(fixed, affects) : []));
  };
  const { major, minor, patch } = LINUX_VERSION;
  const linuxAt = (p: number): string => `${major}.${minor}.${p}-1`;
  for (let i = 0; i < LINUX_RECORDS; i++) {
    add(
      'linux',
      () => linuxAt(random.int(1, patch)),
      () => linuxAt(random.int(patch + 1, patch + 50)),
      (fixed) => Array.from({ length: Math.min(80, Number(fixed.split('.')[2]!.split('-')[0])) }, (_, p) => linuxAt(p)),
    );
  }
  const imageSources = installed.filter((entry) => entry.source !== 'linux');
  for (const { source, version } of imageSources) {
    // `~` sorts before anything in dpkg, `+` after the end: below and above the installed version.
    for (let count = random.logUniform(1, 121); count > 0; count--) add(source, () => `${version}~deb12u${random.int(0, 9)}`, () => `${version}+deb12u${random.int(1, 9)}`, (_, affectsInstalled) => (affectsInstalled ? [version] : []));
  }
  for (let s = 0; s < OTHER_SOURCES; s++) {
    const source = `synth-${word(random)}${s}`;
    for (let count = random.logUniform(1, 61); count > 0; count--) add(source, () => `1.${random.int(0, 9)}-1`, () => `9.${random.int(0, 9)}-1`, (fixed) => [fixed.replace(/-1$/, '~rc1-1')]);
  }
  return { records, linux: LINUX_RECORDS, imageSources: imageSources.length, otherSources: OTHER_SOURCES };
}

function record(random: Prng, serial: number, source: string, fixed: string | undefined, versions: string[]): OsvRecord {
  const year = 2016 + (serial % 10);
  const cve = `CVE-${year}-${String(10_000 + serial).padStart(5, '0')}`;
  const entry = (release: string, events: OsvAffected['ranges']): OsvAffected => ({
    package: { ecosystem: `Debian:${release}`, name: source, purl: `pkg:deb/debian/${source}?arch=source` },
    ranges: events,
    ...(release === '12' && versions.length > 0 ? { versions } : {}),
    database_specific: { source: `https://storage.googleapis.com/debian-osv/debian-cve-osv/DEBIAN-${cve}.json`, urgency: random.pick(['unimportant', 'low', 'medium', 'high', 'not yet assigned']) },
  });
  const bookworm: OsvAffected['ranges'] = [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, ...(fixed ? [{ fixed }] : [])] }];
  const bullseye: OsvAffected['ranges'] = [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: `0.${random.int(1, 99)}-1` }] }];
  return {
    schema_version: '1.7.3',
    id: `DEBIAN-${cve}`,
    published: `${year}-0${1 + (serial % 9)}-1${serial % 10}T00:00:00Z`,
    modified: '2026-12-01T00:00:00Z',
    upstream: [cve],
    details: sentence(random, random.int(30, 110)),
    affected: [entry('12', bookworm), entry('11', bullseye)],
  } as OsvRecord;
}

function sentence(random: Prng, words: number): string {
  return Array.from({ length: words }, () => random.pick(WORDS)).join(' ') + '.';
}

function word(random: Prng): string {
  return Array.from({ length: random.int(2, 4) }, () => random.pick(['ac', 'bo', 'cu', 'da', 'el', 'fi', 'go', 'hu', 'ka', 'lu', 'mi', 'no'])).join('');
}
