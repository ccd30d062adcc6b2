import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { osvRecordSchema, type OsvRecord } from '../../../../lambdas/core/advisories/osv-schema.ts';
import { scoreCvss } from '../../../../lambdas/core/findings/cvss-score.ts';
import { rateSeverity } from '../../../../lambdas/core/findings/severity.ts';
import { parseSeverity } from '../../../../lambdas/core/findings/severity-order.ts';
import { sharedFixtures } from '../../../support/paths.ts';

function recordsIn(...parts: string[]): OsvRecord[] {
  const dir = sharedFixtures(...parts);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => osvRecordSchema.parse(JSON.parse(readFileSync(join(dir, name), 'utf8'))));
}

function recordNamed(id: string, ...parts: string[]): OsvRecord {
  return osvRecordSchema.parse(JSON.parse(readFileSync(sharedFixtures(...parts, `${id}.json`), 'utf8')));
}

const V31_CRITICAL = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';

/** A minimal record around the fields a test is about. */
function record(fields: Partial<OsvRecord> & { id: string }): OsvRecord {
  return osvRecordSchema.parse({ modified: '2024-01-01T00:00:00Z', ...fields });
}

describe('rateSeverity against GitHub', () => {
  const ghsa = [
    ...recordsIn('osv', 'npm'),
    ...recordsIn('osv', 'PyPI'),
    ...recordsIn('osv-corpus', 'npm'),
    ...recordsIn('osv-corpus', 'Maven'),
  ].filter((r) => r.id.startsWith('GHSA-') && r.severity?.some((s) => s.type === 'CVSS_V3'));

  // GitHub labels from the v3.1 score; Customs prefers a v4.0 vector when the record has one.
  const differ: Record<string, { ours: string; why: string }> = {
    'GHSA-qw6h-vgh9-j6wx': { ours: 'LOW', why: 'CVSS v4.0 scores 2.3 (LOW); GitHub labelled it from the v3.1 score 5.0 (MODERATE)' },
  };

  it('has real records to compare', () => {
    expect(ghsa.length).toBeGreaterThanOrEqual(60);
  });

  it.each(ghsa.map((r) => [r.id, r] as const))('%s: the CVSS rating is GitHub’s own label', (id, advisory) => {
    const github = parseSeverity(String(advisory.database_specific?.severity));
    const rating = rateSeverity(advisory.aliases?.[0] ?? id, [{ record: advisory }]);
    expect(rating.kind).toBe('cvss');
    expect(rating.record).toBe(id);
    if (differ[id]) {
      expect(rating).toMatchObject({ severity: differ[id].ours, source: 'CVSS_V4' });
      expect(rating.severity).not.toBe(github);
    } else {
      expect(rating.severity).toBe(github);
    }
  });
});

describe('rateSeverity: the distribution rates first', () => {
  it('scores the Alpine record from its CVSS 3.1 vector: 7.0 is HIGH', () => {
    const alpine = recordNamed('ALPINE-CVE-2025-26519', 'osv', 'Alpine');
    expect(rateSeverity('CVE-2025-26519', [{ record: alpine, affected: alpine.affected![0] }])).toEqual({
      severity: 'HIGH',
      kind: 'cvss',
      source: 'CVSS_V3',
      record: 'ALPINE-CVE-2025-26519',
      score: 7,
      vector: 'CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H',
    });
  });

  const usns = recordsIn('osv-corpus', 'Ubuntu');
  const cases = usns.flatMap((usn) =>
    (usn.affected ?? []).flatMap((affected) => {
      const cves = (affected.database_specific?.cves_map as { cves?: Array<{ id: string; severity: Array<{ type: string; score: string }> }> } | undefined)?.cves ?? [];
      return cves.map((cve) => ({ usn, affected, cve }));
    }),
  );

  it('has USN cves_map entries to check', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it('takes Ubuntu’s word for each CVE of each USN over the CVSS vector beside it', () => {
    let overruled = 0;
    for (const { usn, affected, cve } of cases) {
      const ubuntu = cve.severity.find((s) => s.type === 'Ubuntu')!.score;
      const expected = ubuntu === 'negligible' ? 'LOW' : parseSeverity(ubuntu);
      const rating = rateSeverity(cve.id, [{ record: usn, affected }]);
      expect(rating, `${usn.id} ${cve.id}`).toEqual({ severity: expected, kind: 'distribution', source: 'Ubuntu', record: usn.id });
      const vector = cve.severity.find((s) => s.type === 'CVSS_V3');
      if (vector && scoreCvss('CVSS_V3', vector.score)?.severity !== expected) overruled++;
    }
    // The corpus has CVEs Ubuntu rates below NVD's score; those are the ones this order matters for.
    expect(overruled).toBeGreaterThan(5);
  });

  it('USN-6242-1: CVE-2023-38408 is CVSS 9.8 but Ubuntu says medium', () => {
    const usn = recordNamed('USN-6242-1', 'osv-corpus', 'Ubuntu');
    expect(scoreCvss('CVSS_V3', V31_CRITICAL)?.score).toBe(9.8);
    expect(rateSeverity('CVE-2023-38408', [{ record: usn }])).toMatchObject({ severity: 'MEDIUM', kind: 'distribution', source: 'Ubuntu' });
  });

  it('reads only the cves_map entry of the CVE being rated', () => {
    const usn = recordNamed('USN-5710-1', 'osv-corpus', 'Ubuntu');
    expect(rateSeverity('CVE-2022-3358', [{ record: usn }]).severity).toBe('LOW');
    expect(rateSeverity('CVE-2022-3602', [{ record: usn }]).severity).toBe('HIGH');
    expect(rateSeverity('UBUNTU-CVE-2022-3602', [{ record: usn }]).severity).toBe('HIGH');
    // A CVE the USN does not list gets nothing from it.
    expect(rateSeverity('CVE-2099-0001', [{ record: usn }])).toEqual({ severity: 'UNKNOWN', kind: 'none' });
  });

  it('maps Ubuntu negligible to LOW, also from an OSV severity entry of type Ubuntu', () => {
    const usn = record({
      id: 'UBUNTU-CVE-2024-0001',
      severity: [{ type: 'CVSS_V3', score: V31_CRITICAL }, { type: 'Ubuntu', score: 'negligible' }],
      affected: [{ package: { ecosystem: 'Ubuntu:22.04:LTS', name: 'zlib' } }],
    });
    expect(rateSeverity('CVE-2024-0001', [{ record: usn }])).toMatchObject({ severity: 'LOW', kind: 'distribution', source: 'Ubuntu' });
  });

  const debian = (urgency: string) =>
    record({
      id: 'DEBIAN-CVE-2024-0002',
      severity: [{ type: 'CVSS_V3', score: V31_CRITICAL }],
      affected: [{ package: { ecosystem: 'Debian:12', name: 'openssl' }, database_specific: { urgency } }],
    });

  it.each([
    ['unimportant', 'LOW'],
    ['low', 'LOW'],
    ['low**', 'LOW'],
    ['medium', 'MEDIUM'],
    ['high', 'HIGH'],
  ])('Debian urgency %s is %s, over the CVSS vector', (urgency, severity) => {
    expect(rateSeverity('CVE-2024-0002', [{ record: debian(urgency) }])).toEqual({ severity, kind: 'distribution', source: 'Debian urgency', record: 'DEBIAN-CVE-2024-0002' });
  });

  it.each(['not yet assigned', 'end-of-life'])('Debian urgency %s is no rating: the CVSS vector decides', (urgency) => {
    expect(rateSeverity('CVE-2024-0002', [{ record: debian(urgency) }])).toMatchObject({ severity: 'CRITICAL', kind: 'cvss' });
  });

  it('reads a vendor word from ecosystem_specific or database_specific on a distribution record', () => {
    const redHat = record({
      id: 'RHSA-2024:0003',
      severity: [{ type: 'CVSS_V3', score: V31_CRITICAL }],
      affected: [{ package: { ecosystem: 'Red Hat:enterprise_linux:9::appstream', name: 'curl' }, ecosystem_specific: { severity: 'Important' } }],
    });
    expect(rateSeverity('CVE-2024-0003', [{ record: redHat }])).toMatchObject({ severity: 'HIGH', kind: 'distribution', source: 'Red Hat' });
    const suse = record({
      id: 'SUSE-SU-2024:0004-1',
      affected: [{ package: { ecosystem: 'SUSE:Linux Enterprise Server 15 SP5', name: 'curl' } }],
      database_specific: { severity: 'moderate' },
    });
    expect(rateSeverity('CVE-2024-0004', [{ record: suse }])).toMatchObject({ severity: 'MEDIUM', kind: 'distribution', source: 'SUSE' });
  });

  it('does not read a language database’s label as a distribution’s', () => {
    const npm = record({
      id: 'GHSA-aaaa-bbbb-cccc',
      affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ecosystem_specific: { severity: 'critical' } }],
      database_specific: { severity: 'LOW' },
    });
    expect(rateSeverity('CVE-2024-0005', [{ record: npm }])).toEqual({ severity: 'LOW', kind: 'database', source: 'GHSA database_specific', record: 'GHSA-aaaa-bbbb-cccc' });
  });
});

describe('rateSeverity: CVSS and database labels', () => {
  it('prefers the v4.0 vector of a record over its v3.1 one', () => {
    const ghsa = recordNamed('GHSA-qwcr-r2fm-qrc7', 'osv-corpus', 'npm');
    expect(rateSeverity('GHSA-qwcr-r2fm-qrc7', [{ record: ghsa }])).toMatchObject({
      severity: 'HIGH',
      kind: 'cvss',
      source: 'CVSS_V4',
      score: 8.7,
      vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N',
    });
  });

  it('skips a malformed vector and tries the next source', () => {
    const both = record({
      id: 'GHSA-0000-0000-0001',
      severity: [
        { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L' },
        { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L' },
      ],
      database_specific: { severity: 'CRITICAL' },
    });
    expect(rateSeverity('CVE-2024-0006', [{ record: both }])).toMatchObject({ severity: 'MEDIUM', kind: 'cvss', source: 'CVSS_V3', score: 5.3 });
    const onlyBad = record({ id: 'GHSA-0000-0000-0002', severity: [{ type: 'CVSS_V3', score: 'not a vector' }], database_specific: { severity: 'MODERATE' } });
    expect(rateSeverity('CVE-2024-0007', [{ record: onlyBad }])).toMatchObject({ severity: 'MEDIUM', kind: 'database' });
  });

  it('takes the first record in the given order within a kind, but any CVSS over any database label', () => {
    const first = record({ id: 'GHSA-0000-0000-0003', severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L' }] });
    const second = record({ id: 'GHSA-0000-0000-0004', severity: [{ type: 'CVSS_V3', score: V31_CRITICAL }] });
    const labelled = record({ id: 'GHSA-0000-0000-0005', database_specific: { severity: 'CRITICAL' } });
    expect(rateSeverity('CVE-2024-0008', [{ record: first }, { record: second }])).toMatchObject({ severity: 'MEDIUM', record: first.id });
    expect(rateSeverity('CVE-2024-0008', [{ record: second }, { record: first }])).toMatchObject({ severity: 'CRITICAL', record: second.id });
    expect(rateSeverity('CVE-2024-0008', [{ record: labelled }, { record: first }])).toMatchObject({ severity: 'MEDIUM', kind: 'cvss', record: first.id });
  });

  it('reads GitHub’s label case-insensitively when there is no vector', () => {
    const lower = recordNamed('GHSA-x5rq-j2xg-h7qm', 'osv-corpus', 'npm');
    expect(lower.database_specific?.severity).toBe('moderate');
    expect(rateSeverity('GHSA-x5rq-j2xg-h7qm', [{ record: lower }])).toEqual({ severity: 'MEDIUM', kind: 'database', source: 'GHSA database_specific', record: lower.id });
  });

  it('is UNKNOWN with no records, or records that rate nothing', () => {
    expect(rateSeverity('CVE-2024-0009', [])).toEqual({ severity: 'UNKNOWN', kind: 'none' });
    const go = recordNamed('GO-2022-0274', 'osv', 'Go');
    const unrated = record({ id: 'GHSA-0000-0000-0006', database_specific: { severity: 'SEVERE' } });
    expect(rateSeverity('CVE-2024-0009', [{ record: go }, { record: unrated }])).toEqual({ severity: 'UNKNOWN', kind: 'none' });
  });
});
