import { describe, expect, it } from 'vitest';
import type { OsvRecord } from '../../../../lambdas/core/advisories/osv-schema.ts';
import type { Distro, Package } from '../../../../lambdas/core/sbom/model.ts';
import { apkScheme } from '../../../../lambdas/core/versions/apk.ts';
import { dpkgScheme } from '../../../../lambdas/core/versions/dpkg.ts';
import { goScheme } from '../../../../lambdas/core/versions/go.ts';
import { pep440Scheme } from '../../../../lambdas/core/versions/pep440.ts';
import { semverScheme } from '../../../../lambdas/core/versions/semver.ts';
import type { VersionScheme } from '../../../../lambdas/core/versions/version-scheme.ts';
import { sharedFixtures } from '../../../support/paths.ts';
import { distro, match, pkg, recordsIn } from './matching-support.ts';

/**
 * Known answers from the real records: for every `fixed` event, a package just below it is affected
 * with exactly that fix, and the package at the fix or just above it is not.
 */

interface Setup {
  readonly scheme: VersionScheme;
  readonly os?: Distro;
  readonly build: (name: string, version: string) => Package;
}

function setupFor(ecosystem: string): Setup {
  const [base, release] = ecosystem.split(':');
  switch (base) {
    case 'Debian':
      // A binary named apart from its source, rebuilt (binNMU): only the source version counts.
      return { scheme: dpkgScheme, os: distro('debian', release), build: (name, version) => pkg('deb', `${name}-common`, `${version}+b1`, { name, version }) };
    case 'Alpine':
      return { scheme: apkScheme, os: distro('alpine', `${release!.slice(1)}.5`), build: (name, version) => pkg('apk', `${name}-utils`, version, { name, version }) };
    case 'Go':
      return { scheme: goScheme, build: (name, version) => pkg('golang', name, `v${version}`) };
    case 'PyPI':
      return { scheme: pep440Scheme, build: (name, version) => pkg('pypi', name, version) };
    case 'npm':
      return { scheme: semverScheme, build: (name, version) => pkg('npm', name, version) };
  }
  throw new Error(`no setup for ${ecosystem}`);
}

const bump = (version: string, by: number): string | undefined => {
  const numbers = [...version.matchAll(/\d+/g)];
  const last = by < 0 ? numbers.reverse().find((m) => Number(m[0]) > 0) : numbers.at(-1);
  if (!last) return undefined;
  return version.slice(0, last.index) + String(Number(last[0]) + by) + version.slice(last.index + last[0].length);
};

interface Case {
  readonly name: string;
  readonly record: OsvRecord;
  readonly setup: Setup;
  readonly packageName: string;
  readonly below: string;
  readonly fixed: string;
  readonly above: string;
}

function casesOf(record: OsvRecord): Case[] {
  const cases: Case[] = [];
  for (const entry of record.affected ?? []) {
    if (!entry.package) continue;
    const { ecosystem, name } = entry.package;
    const setup = setupFor(ecosystem);
    const { scheme } = setup;
    const lt = (a: string, b: string) => scheme.isValid(a) && scheme.compare(a, b) < 0;
    // Every introduced event of this package in this record: a version above a fix must stay below the next one.
    const introductions = (record.affected ?? [])
      .filter((other) => other.package?.ecosystem === ecosystem && other.package.name === name)
      .flatMap((other) => (other.ranges ?? []).filter((r) => r.type !== 'GIT').flatMap((r) => r.events.flatMap((e) => (e.introduced && e.introduced !== '0' ? [e.introduced] : []))));
    for (const range of entry.ranges ?? []) {
      if (range.type === 'GIT') continue;
      let introduced: string | undefined;
      for (const event of range.events) {
        if (event.introduced !== undefined) introduced = event.introduced === '0' ? undefined : event.introduced;
        const fixed = event.fixed;
        if (fixed === undefined) continue;
        const inPair = (v: string) => lt(v, fixed) && (introduced === undefined || !lt(v, introduced));
        const listed = (entry.versions ?? []).filter(inPair).sort((a, b) => scheme.compare(b, a))[0];
        const derived = [bump(fixed, -1), `${fixed}~`, `${fixed}-0`, `${fixed}rc1`].find((v) => v !== undefined && inPair(v));
        const next = introductions.filter((i) => lt(fixed, i));
        const above = [bump(fixed, 1), `${fixed}.1`].find((v) => v !== undefined && lt(fixed, v) && next.every((i) => lt(v, i)));
        const below = listed ?? derived;
        if (below === undefined || above === undefined) throw new Error(`${record.id}: no versions around ${fixed} for ${name}`);
        cases.push({ name: `${record.id} ${ecosystem} ${name} fixed ${fixed}`, record, setup, packageName: name, below, fixed, above });
      }
    }
  }
  return cases;
}

const distributions = new Set(['Debian', 'Alpine']);

/**
 * The severity each record should give, read without Customs' rating code: GitHub's own label where
 * the record carries one (MODERATE is MEDIUM); NVD's published base score for the one record that has
 * only a vector; UNKNOWN for records that rate nothing (Debian DLA/DSA, Go, PYSEC).
 */
const NVD_RATED: Readonly<Record<string, string>> = { 'ALPINE-CVE-2025-26519': 'HIGH' /* CVSS 3.1 base 7.0 */ };
function expectedSeverity(record: OsvRecord): string {
  const label = record.database_specific?.severity;
  if (typeof label === 'string') return label.toUpperCase() === 'MODERATE' ? 'MEDIUM' : label.toUpperCase();
  return NVD_RATED[record.id] ?? 'UNKNOWN';
}
const cases = ['Debian', 'Alpine', 'Go', 'PyPI', 'npm'].flatMap((folder) => recordsIn(sharedFixtures('osv', folder)).flatMap(casesOf));

describe('known answers from the OSV fixtures', () => {
  it('covers every fixture folder', () => {
    expect(new Set(cases.map((c) => c.name.split(' ')[1]!.split(':')[0]))).toEqual(new Set(['Debian', 'Alpine', 'Go', 'PyPI', 'npm']));
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, { record, setup, packageName, below, fixed, above }) => {
    const distroRecord = distributions.has(record.affected![0]!.package!.ecosystem.split(':')[0]!);
    const { findings } = await match([record], [setup.build(packageName, below)], setup.os);
    if (distroRecord) {
      const listed = (record.upstream ?? []).filter((id) => id.startsWith('CVE-'));
      const expected = listed.length > 0 ? listed : [record.id];
      expect(findings.map((f) => f.id).sort()).toEqual([...expected].sort());
      for (const finding of findings) {
        expect(finding.advisories.map((a) => a.id)).toEqual([record.id]);
        if (finding.id !== record.id) expect(finding.aliases).toContain(record.id);
      }
    } else {
      expect(findings).toHaveLength(1);
      expect([findings[0]!.id, ...findings[0]!.aliases]).toEqual(expect.arrayContaining([record.id, ...(record.aliases ?? [])]));
    }
    for (const finding of findings) {
      expect(finding.fixedVersions).toEqual([fixed]);
      expect(finding.severity.severity).toBe(expectedSeverity(record));
    }
    expect((await match([record], [setup.build(packageName, fixed)], setup.os)).findings).toEqual([]);
    expect((await match([record], [setup.build(packageName, above)], setup.os)).findings).toEqual([]);
  });
});
