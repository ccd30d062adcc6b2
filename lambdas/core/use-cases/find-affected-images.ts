import type { Digest } from '../digest.ts';
import type { StoredFinding } from '../pipeline/model.ts';
import type { AdvisoryIdIndex, ScanResultStore } from '../ports.ts';
import { mapLimit } from '../util/map-limit.ts';

export interface FindAffectedImagesDeps {
  readonly advisories: AdvisoryIdIndex;
  readonly results: Pick<ScanResultStore, 'digestsWithPackage' | 'findings'>;
  /** Index queries and findings reads in flight at once. */
  readonly concurrency?: number;
}

export interface AffectedImage {
  readonly digest: Digest;
  /** The digest's committed findings of this vulnerability. */
  readonly findings: readonly StoredFinding[];
}

export interface AffectedImages {
  /** The advisory records the ID or alias resolved to. */
  readonly records: readonly string[];
  /** In digest order. */
  readonly images: readonly AffectedImage[];
}

/**
 * The images affected by a vulnerability ID or alias (CVE, GHSA, DSA…), without a table scan and
 * without an index per finding: the advisories say which packages the vulnerability affects, the
 * package index which digests contain them, and each candidate's committed findings whether it
 * has the vulnerability (a package index entry says nothing of the installed version).
 *
 * A finding counts when its ID or aliases name the query, or it cites the record the query names
 * (a DSA, DLA or GHSA ID). An ID the advisories do not know affects nothing. Records naming an ecosystem
 * without a release (`Debian` rather than `Debian:12`) reach only images indexed under that exact
 * key, as the package index has no release wildcard.
 */
export async function findAffectedImages(idOrAlias: string, deps: FindAffectedImagesDeps): Promise<AffectedImages> {
  const concurrency = deps.concurrency ?? 16;
  const records = await deps.advisories.recordsFor(idOrAlias);
  const recordIds = new Set(records.map((record) => record.id));
  const packages = new Map<string, { ecosystem: string; name: string }>();
  for (const record of records) {
    for (const entry of record.affected ?? []) {
      if (entry.package) packages.set(`${entry.package.ecosystem}\0${entry.package.name}`, { ecosystem: entry.package.ecosystem, name: entry.package.name });
    }
  }
  const perPackage = await mapLimit([...packages.values()], concurrency, (pkg) => deps.results.digestsWithPackage(pkg.ecosystem, pkg.name));
  const candidates = [...new Set(perPackage.flat())].sort();
  // Not "cites any resolved record": a DSA fixing eight CVEs resolves from each, but a finding of one is not a finding of the others.
  const matches = (finding: StoredFinding): boolean => finding.id === idOrAlias || finding.aliases.includes(idOrAlias) || finding.advisories.some((advisory) => advisory.id === idOrAlias);
  const read = await mapLimit(candidates, concurrency, async (digest): Promise<AffectedImage> => ({ digest, findings: (await deps.results.findings(digest)).filter(matches) }));
  return { records: [...recordIds].sort(), images: read.filter((image) => image.findings.length > 0) };
}
