import type { Digest } from '../../lambdas/core/digest.ts';
import type { ScanRecord } from '../../lambdas/core/pipeline/model.ts';

/**
 * A committed scan to seed the stores with: SCANNED, no layers, packages, findings or advisories,
 * started when it finished; each test passes the fields it is about.
 */
export function sampleScanRecord(digest: Digest, overrides: Partial<ScanRecord> = {}): ScanRecord {
  const finishedAt = overrides.finishedAt ?? new Date('2026-10-01T00:00:00Z');
  return {
    digest,
    scannerVersion: '0.1.0',
    status: 'SCANNED',
    layers: [],
    packageCount: 0,
    findingCount: 0,
    severityCounts: {},
    advisories: [],
    startedAt: finishedAt,
    finishedAt,
    ...overrides,
  };
}

/** What a Debian 12 scan's os-release gives. */
export const DEBIAN_12_DISTRO: NonNullable<ScanRecord['distro']> = { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', source: '/etc/os-release' };
