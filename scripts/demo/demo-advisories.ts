import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * OSV records for the demo, written the way Debian's and GitHub's are (Debian by source package, a
 * GHSA with its CVE alias and CVSS vector) so the demo shows matching offline. They are marked as
 * demo data: the IDs are reserved-looking and the summaries say so. Real advisories come from an
 * OSV directory, zip or bucket passed with --advisories.
 */
const RECORDS = [
  {
    id: 'DEMO-DSA-0001-1',
    upstream: ['CVE-2099-0001', 'CVE-2099-0002'],
    summary: 'curl - demo advisory (not a real vulnerability)',
    database_specific: { urgency: 'medium' },
    affected: [{ package: { ecosystem: 'Debian:12', name: 'curl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '7.88.1-10+deb12u14' }] }] }],
  },
  {
    id: 'DEMO-CVE-2099-0003',
    upstream: ['CVE-2099-0003'],
    summary: 'glibc - demo advisory with no fix yet (not a real vulnerability)',
    database_specific: { urgency: 'low' },
    affected: [{ package: { ecosystem: 'Debian:12', name: 'glibc' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }],
  },
  {
    id: 'GHSA-demo-0004-xxxx',
    aliases: ['CVE-2099-0004'],
    summary: 'Prototype pollution in demo-lib (not a real vulnerability)',
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
    affected: [{ package: { ecosystem: 'npm', name: 'demo-lib' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.2.4' }] }] }],
    database_specific: { severity: 'CRITICAL' },
  },
];

/** Writes the demo records under `dir` and returns it, for `--advisories`. */
export function writeDemoAdvisories(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const record of RECORDS) writeFileSync(join(dir, `${record.id}.json`), JSON.stringify({ schema_version: '1.6.0', modified: '2026-01-01T00:00:00Z', ...record }, null, 2));
  return dir;
}
