import { describe, expect, it } from 'vitest';
import type { OsvRecord } from '../../../../lambdas/core/advisories/osv-schema.ts';
import { parseDigest, type Digest } from '../../../../lambdas/core/digest.ts';
import type { StoredFinding } from '../../../../lambdas/core/pipeline/model.ts';
import { toRawFinding } from '../../../../lambdas/core/pipeline/raw-findings.ts';
import type { AdvisoryIdIndex } from '../../../../lambdas/core/ports.ts';
import { findAffectedImages, type FindAffectedImagesDeps } from '../../../../lambdas/core/use-cases/find-affected-images.ts';
import { sampleFinding, samplePackage } from '../../../support/sample-findings.ts';

const digestOf = (n: number): Digest => parseDigest(`sha256:${n.toString(16).padStart(64, '0')}`);
const seen = new Date('2026-12-01T10:00:00Z');

function record(id: string, aliases: string[], ...packages: [ecosystem: string, name: string][]): OsvRecord {
  return { id, modified: '2026-01-01T00:00:00Z', aliases, affected: packages.map(([ecosystem, name]) => ({ package: { ecosystem, name } })) };
}

/** A finding of `id` on a package, citing the records given (as the matcher records them). */
function finding(id: string, aliases: string[], name: string, cites: string[] = [id]): StoredFinding {
  const raw = toRawFinding(sampleFinding({ id, aliases, package: samplePackage({ name }), advisories: cites.map((cited) => ({ id: cited, ecosystem: 'Debian:12', name, fixedVersions: [], modified: '2026-01-01T00:00:00Z' })) }));
  return { ...raw, firstSeen: seen, lastSeen: seen };
}

/** Advisories and scan results in memory: the index answers exact (ecosystem, name) keys. */
function fakes(records: OsvRecord[], images: { digest: Digest; packages: [string, string][]; findings: StoredFinding[] }[]) {
  const reads: Digest[] = [];
  const advisories: AdvisoryIdIndex = { recordsFor: async (x) => records.filter((one) => one.id === x || [...(one.aliases ?? []), ...(one.upstream ?? [])].includes(x)) };
  const results: FindAffectedImagesDeps['results'] = {
    digestsWithPackage: async (ecosystem, name) => images.filter((image) => image.packages.some(([e, n]) => e === ecosystem && n === name)).map((image) => image.digest),
    findings: async (digest) => (reads.push(digest), images.find((image) => image.digest === digest)?.findings ?? []),
  };
  return { deps: { advisories, results }, reads };
}

describe('findAffectedImages', () => {
  const lodashRecord = record('GHSA-aaaa-bbbb-cccc', ['CVE-2026-0001'], ['npm', 'lodash']);
  const debianRecord = record('DEBIAN-CVE-2026-0001', ['CVE-2026-0001'], ['Debian:12', 'libxml2'], ['Debian:11', 'libxml2']);
  const affected = finding('GHSA-aaaa-bbbb-cccc', ['CVE-2026-0001'], 'lodash');
  const other = finding('GHSA-zzzz-zzzz-zzzz', [], 'lodash');
  const debian = finding('CVE-2026-0001', ['DEBIAN-CVE-2026-0001'], 'libxml2', ['DEBIAN-CVE-2026-0001']);
  const images = [
    { digest: digestOf(1), packages: [['npm', 'lodash']] as [string, string][], findings: [affected, other] },
    // Has the package at a fixed version: indexed under it, but no finding.
    { digest: digestOf(2), packages: [['npm', 'lodash']] as [string, string][], findings: [other] },
    { digest: digestOf(3), packages: [['Debian:12', 'libxml2']] as [string, string][], findings: [debian] },
    // Carries a finding of the vulnerability, but under no package the records name: never a candidate.
    { digest: digestOf(4), packages: [['npm', 'left-pad']] as [string, string][], findings: [affected] },
  ];

  it('finds the images whose committed findings carry the record’s ID, only those', async () => {
    const { deps, reads } = fakes([lodashRecord, debianRecord], images);
    const answer = await findAffectedImages('GHSA-aaaa-bbbb-cccc', deps);
    expect(answer.records).toEqual(['GHSA-aaaa-bbbb-cccc']);
    expect(answer.images).toEqual([{ digest: digestOf(1), findings: [affected] }]);
    expect(reads.sort()).toEqual([digestOf(1), digestOf(2)]);
  });

  it('resolves an alias to every record naming it, across ecosystems', async () => {
    const { deps } = fakes([lodashRecord, debianRecord], images);
    const answer = await findAffectedImages('CVE-2026-0001', deps);
    expect(answer.records).toEqual(['DEBIAN-CVE-2026-0001', 'GHSA-aaaa-bbbb-cccc']);
    expect(answer.images).toEqual([
      { digest: digestOf(1), findings: [affected] },
      { digest: digestOf(3), findings: [debian] },
    ]);
  });

  it('counts a finding that cites the record the query names, and not a sibling CVE of a multi-CVE advisory', async () => {
    const dsa: OsvRecord = { ...record('DSA-9999-1', [], ['Debian:12', 'vlc']), upstream: ['CVE-2026-0101', 'CVE-2026-0102'] };
    const [first, second] = ['CVE-2026-0101', 'CVE-2026-0102'].map((cve) => finding(cve, [`DEBIAN-${cve}`], 'vlc', ['DSA-9999-1']));
    const { deps } = fakes([dsa], [{ digest: digestOf(6), packages: [['Debian:12', 'vlc']], findings: [first!, second!] }]);
    expect((await findAffectedImages('CVE-2026-0101', deps)).images).toEqual([{ digest: digestOf(6), findings: [first] }]);
    expect((await findAffectedImages('DSA-9999-1', deps)).images).toEqual([{ digest: digestOf(6), findings: [first, second] }]);
  });

  it('counts a finding that only cites the record queried by its id', async () => {
    const cited = finding('CVE-2026-0002', [], 'libxml2', ['DEBIAN-CVE-2026-0001']);
    const { deps } = fakes([debianRecord], [{ digest: digestOf(5), packages: [['Debian:12', 'libxml2']], findings: [cited] }]);
    expect((await findAffectedImages('DEBIAN-CVE-2026-0001', deps)).images).toEqual([{ digest: digestOf(5), findings: [cited] }]);
  });

  it('answers nothing for an ID the advisories do not know, reading no findings', async () => {
    const { deps, reads } = fakes([lodashRecord], images);
    expect(await findAffectedImages('CVE-1999-9999', deps)).toEqual({ records: [], images: [] });
    expect(reads).toEqual([]);
  });

  it('fails when a candidate’s findings cannot be read, rather than leaving the image out', async () => {
    const { deps } = fakes([lodashRecord], images);
    const failing = { ...deps, results: { ...deps.results, findings: async () => Promise.reject(new Error('findings of sha256:… do not match')) } };
    await expect(findAffectedImages('GHSA-aaaa-bbbb-cccc', failing)).rejects.toThrow('do not match');
  });
});
