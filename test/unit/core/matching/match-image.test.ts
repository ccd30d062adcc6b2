import { describe, expect, it } from 'vitest';
import type { OsvRecord } from '../../../../lambdas/core/advisories/osv-schema.ts';
import { SEVERITIES } from '../../../../lambdas/core/findings/model.ts';
import { matchImage } from '../../../../lambdas/core/matching/match-image.ts';
import type { AdvisoryLookup } from '../../../../lambdas/core/ports.ts';
import { dpkgScheme } from '../../../../lambdas/core/versions/dpkg.ts';
import { goScheme } from '../../../../lambdas/core/versions/go.ts';
import { sharedFixtures } from '../../../support/paths.ts';
import { sampleImageSbom } from '../../../support/sample-findings.ts';
import { distro, match, pkg, recordsIn } from './matching-support.ts';

const osv = (ecosystem: string) => recordsIn(sharedFixtures('osv', ecosystem));
const record = (ecosystem: string, id: string): OsvRecord => osv(ecosystem).find((r) => r.id === id)!;
const debian9 = distro('debian', '9');

describe('matchImage on real records', () => {
  it('reports a DLA under its CVE, keeping the DLA as alias and advisory', async () => {
    const libxml2 = pkg('deb', 'libxml2', '2.9.4+dfsg1-2.2+deb9u6', { name: 'libxml2', version: '2.9.4+dfsg1-2.2+deb9u6' });
    const { findings } = await match([record('Debian', 'DLA-3012-1')], [libxml2], debian9);
    expect(findings).toHaveLength(1);
    const [finding] = findings;
    expect(finding).toMatchObject({ id: 'CVE-2022-29824', installedVersion: '2.9.4+dfsg1-2.2+deb9u6', fixedVersions: ['2.9.4+dfsg1-2.2+deb9u7'], title: 'libxml2 - security update' });
    expect(finding?.aliases).toEqual(expect.arrayContaining(['DLA-3012-1', 'DEBIAN-CVE-2022-29824']));
    expect(finding?.advisories).toEqual([{ id: 'DLA-3012-1', ecosystem: 'Debian:9', name: 'libxml2', fixedVersions: ['2.9.4+dfsg1-2.2+deb9u7'], modified: expect.any(String) }]);
    expect(finding?.severity.severity).toBeOneOf([...SEVERITIES]);
  });

  it('matches a binary package by its source, comparing the source version (binNMU)', async () => {
    const utils = pkg('deb', 'libxml2-utils', '2.9.4+dfsg1-2.2+deb9u7+b1', { name: 'libxml2', version: '2.9.4+dfsg1-2.2+deb9u6' });
    const dev = pkg('deb', 'libxml2-dev', '2.9.4+dfsg1-2.2+deb9u7+b1', { name: 'libxml2', version: '2.9.4+dfsg1-2.2+deb9u7' });
    const { findings } = await match([record('Debian', 'DLA-3012-1')], [utils, dev], debian9);
    expect(findings.map((f) => [f.package.name, f.id, f.installedVersion])).toEqual([['libxml2-utils', 'CVE-2022-29824', '2.9.4+dfsg1-2.2+deb9u6']]);
  });

  it('reports DSA-1543-1 once per CVE it fixes', async () => {
    const vlc = pkg('deb', 'vlc', '0.8.6-svn20061012.debian-5etch1', { name: 'vlc', version: '0.8.6-svn20061012.debian-5etch1' });
    const { findings } = await match([record('Debian', 'DSA-1543-1')], [vlc], distro('debian', '4.0'));
    const cves = record('Debian', 'DSA-1543-1').upstream!.filter((id) => id.startsWith('CVE-'));
    expect(cves).toHaveLength(8);
    expect(findings.map((f) => f.id).sort()).toEqual([...cves].sort());
    for (const finding of findings) {
      expect(finding.package.name).toBe('vlc');
      expect(finding.aliases).toEqual(['DEBIAN-' + finding.id, 'DSA-1543-1']);
      expect(finding.fixedVersions).toEqual(['0.8.6-svn20061012.debian-5.1+etch2']);
    }
  });

  it('keeps a distribution advisory without CVEs under its own ID', async () => {
    const tzdata = pkg('deb', 'tzdata', '2021a-0+deb9u3', { name: 'tzdata', version: '2021a-0+deb9u3' });
    const { findings } = await match([record('Debian', 'DLA-3051-1')], [tzdata], debian9);
    expect(findings.map((f) => [f.id, f.aliases, f.fixedVersions])).toEqual([['DLA-3051-1', [], ['2021a-0+deb9u4']]]);
  });

  it('merges a PYSEC and a GHSA that alias each other into one finding', async () => {
    const pysec = record('PyPI', 'PYSEC-2023-74');
    const ghsa = record('PyPI', 'GHSA-j8r2-6x86-q33q');
    expect(pysec.aliases).toContain(ghsa.id);
    const { findings } = await match([pysec, ghsa], [pkg('pypi', 'requests', '2.30.0')]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ id: 'CVE-2023-32681', aliases: ['GHSA-j8r2-6x86-q33q', 'PYSEC-2023-74'], fixedVersions: ['2.31.0'] });
    expect(findings[0]?.advisories.map((a) => a.id)).toEqual(['GHSA-j8r2-6x86-q33q', 'PYSEC-2023-74']);
    expect(new Set(findings[0]?.references.map((r) => r.url)).size).toBe(findings[0]?.references.length);
  });

  it('never matches OS packages with language advisories or the other way round', async () => {
    const lodashDeb = pkg('deb', 'lodash', '4.17.10', { name: 'lodash', version: '4.17.10' });
    const requestsDeb = pkg('deb', 'requests', '2.30.0', { name: 'requests', version: '2.30.0' });
    const libxml2Npm = pkg('npm', 'libxml2', '2.9.4+dfsg1-2.2');
    const { findings } = await match([...osv('npm'), ...osv('PyPI'), record('Debian', 'DLA-3012-1')], [lodashDeb, requestsDeb, libxml2Npm], debian9);
    expect(findings).toEqual([]);
  });

  it('matches an Ubuntu 22.04 image with USNs for the 22.04 release only', async () => {
    const usns = recordsIn(sharedFixtures('osv-corpus', 'Ubuntu'));
    const installed = '1:8.9p1-3ubuntu0.1';
    const client = pkg('deb', 'openssh-client', installed, { name: 'openssh', version: installed });
    const { findings } = await match(usns, [client], distro('ubuntu', '22.04'));
    // What the USNs say for 22.04 openssh above this version, read straight from the records.
    const expected = usns.flatMap((usn) =>
      (usn.affected ?? [])
        .filter((a) => a.package?.ecosystem === 'Ubuntu:22.04:LTS' && a.package.name === 'openssh')
        .filter((a) => a.ranges!.some((r) => r.events.some((e) => e.fixed !== undefined && dpkgScheme.compare(installed, e.fixed) < 0)))
        .flatMap(() => usn.upstream!.map((id) => id.replace(/^UBUNTU-/, ''))),
    );
    expect(expected.length).toBeGreaterThan(1);
    expect(findings.map((f) => f.id).sort()).toEqual([...new Set(expected)].sort());
    for (const finding of findings) {
      expect(finding.package.name).toBe('openssh-client');
      expect(finding.advisories.every((a) => a.ecosystem === 'Ubuntu:22.04:LTS' && a.id.startsWith('USN-'))).toBe(true);
      expect(finding.aliases).toContain(`UBUNTU-${finding.id}`);
      expect(finding.references.some((r) => r.url.endsWith(finding.advisories[0]!.id))).toBe(true);
      expect(finding.references.every((r) => !/CVE-\d+-\d+/.test(r.url) || r.url.includes(finding.id))).toBe(true);
    }
  });

  it('finds Go stdlib vulnerabilities in v1.19.8 with their fixes', async () => {
    const corpus = recordsIn(sharedFixtures('osv-corpus', 'Go'));
    const { findings } = await match(corpus, [pkg('golang', 'stdlib', 'v1.19.8')]);
    expect(findings.length).toBeGreaterThan(10);
    const byAlias = new Map(findings.flatMap((f) => [f.id, ...f.aliases].map((id) => [id, f] as const)));
    for (const id of ['GO-2023-1751', 'GO-2023-1752', 'GO-2023-1753']) expect(byAlias.get(id)?.fixedVersions).toEqual(['1.19.9']);
    expect(byAlias.get('GO-2023-1751')?.id).toBe('CVE-2023-24539');
    for (const finding of findings) {
      expect(finding.installedVersion).toBe('v1.19.8');
      for (const fixed of finding.fixedVersions) expect(goScheme.compare(fixed, '1.19.8')).toBe(1);
    }
    const withdrawn = new Set(corpus.filter((r) => r.withdrawn !== undefined).map((r) => r.id));
    expect(findings.flatMap((f) => f.advisories).some((a) => withdrawn.has(a.id))).toBe(false);
  });

  it('reports every stream of a Red Hat major, with unset epochs read as 0', async () => {
    const rhsa: OsvRecord = {
      id: 'RHSA-2025:9978',
      modified: '2026-03-18T11:30:33Z',
      upstream: ['CVE-2025-32462'],
      affected: ['appstream', 'baseos'].map((stream) => ({
        package: { name: 'sudo', ecosystem: `Red Hat:enterprise_linux:9::${stream}` },
        ranges: [{ type: 'ECOSYSTEM' as const, events: [{ introduced: '0' }, { fixed: '0:1.9.5p2-10.el9_6.1' }] }],
      })),
    };
    const rhel = distro('rhel', '9.6');
    const vulnerable = await match([rhsa], [pkg('rpm', 'sudo', '1.9.5p2-10.el9_6')], rhel);
    expect(vulnerable.findings.map((f) => [f.id, f.fixedVersions, f.advisories.map((a) => a.ecosystem)])).toEqual([
      ['CVE-2025-32462', ['0:1.9.5p2-10.el9_6.1'], ['Red Hat:enterprise_linux:9::appstream']],
    ]);
    expect((await match([rhsa], [pkg('rpm', 'sudo', '1.9.5p2-10.el9_6.1')], rhel)).findings).toEqual([]);
    expect((await match([rhsa], [pkg('rpm', 'sudo', '1.9.5p2-10.el9_6')], distro('rhel', '8.10'))).findings).toEqual([]);
  });

  it('matches a range GitHub wrote with a short npm version (introduced 1.0)', async () => {
    const corpus = recordsIn(sharedFixtures('osv-corpus', 'npm'));
    const { findings, warnings } = await match(corpus, [pkg('npm', 'node-fetch', '3.0.0')]);
    expect(findings.map((f) => [f.id, f.fixedVersions])).toEqual([['CVE-2022-0235', ['3.1.1']]]);
    expect(warnings).toEqual([]);
  });

  it('never reports withdrawn records, even from a lookup that returns them', async () => {
    const ghsa = record('npm', 'GHSA-xvch-5gv4-984h');
    const withdrawn = { ...ghsa, withdrawn: '2024-01-01T00:00:00Z' };
    const lookup: AdvisoryLookup = { lookup: (queries) => Promise.resolve(queries.map(() => [{ record: withdrawn, affected: withdrawn.affected!, withdrawn: true, source: 'test' }])) };
    const { findings } = await matchImage(sampleImageSbom([pkg('npm', 'minimist', '1.2.5')]), lookup);
    expect(findings).toEqual([]);
  });

  it('matches dev-only packages too', async () => {
    const dev = { ...pkg('npm', 'minimist', '1.2.5'), dev: true };
    const { findings } = await match(osv('npm'), [dev]);
    expect(findings.map((f) => f.id)).toEqual(['CVE-2021-44906']);
  });

  it('warns about an unknown distribution and does not match its OS packages', async () => {
    const { findings, warnings } = await match([record('Debian', 'DLA-3012-1')], [pkg('deb', 'libxml2', '1', { name: 'libxml2', version: '1' })], distro('plan9', '4'));
    expect(findings).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining('plan9')]);
  });

  it('warns about ranges it cannot read, naming the record, and still matches the rest', async () => {
    const broken: OsvRecord = {
      id: 'GHSA-xxxx-yyyy-zzzz',
      modified: '2024-01-01T00:00:00Z',
      affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: 'not a version' }] }, { type: 'SEMVER', events: [{ introduced: '1.0.0' }, { fixed: '1.3.0' }] }] }],
    };
    const { findings, warnings } = await match([broken], [pkg('npm', 'left-pad', '1.1.0')]);
    expect(findings.map((f) => [f.id, f.fixedVersions])).toEqual([['GHSA-xxxx-yyyy-zzzz', ['1.3.0']]]);
    expect(warnings).toEqual([expect.stringMatching(/GHSA-xxxx-yyyy-zzzz.*not a version/)]);
  });

  it('sorts findings worst first, then by package name, then by ID', async () => {
    const { findings } = await match(osv('npm'), [pkg('npm', 'minimist', '1.2.0'), pkg('npm', 'lodash', '4.17.10'), pkg('npm', 'json5', '2.2.1')]);
    const key = (f: (typeof findings)[number]) => [SEVERITIES.indexOf(f.severity.severity), f.package.name, f.id] as const;
    const byKey = (a: ReturnType<typeof key>, b: ReturnType<typeof key>) => a[0] - b[0] || a[1].localeCompare(b[1]) || a[2].localeCompare(b[2]);
    expect(findings.length).toBeGreaterThan(3);
    expect(findings.map(key)).toEqual(findings.map(key).sort(byKey));
  });
});
