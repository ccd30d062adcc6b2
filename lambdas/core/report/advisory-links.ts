import type { Finding } from '../findings/model.ts';

/**
 * Where a vulnerability ID is published, for reports that link to it (SARIF help, SPDX security
 * references, CycloneDX sources). Shared by all three; named for SARIF only because of file ownership.
 */
export interface VulnerabilitySource {
  readonly name: string;
  readonly url: string;
}

/** CVEs link to NVD and GHSAs to GitHub; OSV.dev serves every other ID the matcher reads (DSA, DLA, USN, PYSEC, GO, RUSTSEC, DEBIAN-CVE…). */
export function vulnerabilitySource(id: string): VulnerabilitySource {
  const path = encodeURIComponent(id);
  if (/^CVE-\d+-\d+$/i.test(id)) return { name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${path}` };
  if (/^GHSA-/i.test(id)) return { name: 'GitHub Advisory Database', url: `https://github.com/advisories/${path}` };
  return { name: 'OSV', url: `https://osv.dev/vulnerability/${path}` };
}

/** The page to send a reader to: the record's first ADVISORY reference, else its first reference, else the ID's source. */
export function advisoryUrl(finding: Finding): string {
  const urls = [...finding.references.filter((ref) => ref.type === 'ADVISORY'), ...finding.references].map((ref) => ref.url);
  return urls.find(isAbsoluteUrl) ?? vulnerabilitySource(finding.id).url;
}

/** Only absolute http(s) URLs without spaces: SARIF wants a `uri`, SPDX a locator with no spaces. */
export function isAbsoluteUrl(text: string): boolean {
  return /^https?:\/\/[^\s]+$/i.test(text) && URL.canParse(text);
}
