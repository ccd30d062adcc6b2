import { describe, expect, it } from 'vitest';
import { readSyncEnvironment } from '../../../lambdas/handlers/sync-advisories/sync-environment.ts';

/** The sync Lambda's environment, as lib/constructs/advisory-sync.ts sets it (SYNC_ENVIRONMENT). */
const base = {
  AWS_REGION: 'eu-west-1',
  ADVISORY_TABLE_NAME: 'customs-advisories',
  FINDINGS_TABLE_NAME: 'customs-findings',
  SBOM_BUCKET_NAME: 'customs-sboms',
  RESCAN_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/customs-rescan',
  CONTINUATION_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/customs-sync-continuation',
  OSV_SOURCE_URL: 'https://osv-vulnerabilities.storage.googleapis.com',
  ADVISORY_ECOSYSTEMS: 'derived',
  OVERLAP_HOURS: '48',
  FULL_COMPARE_EVERY_DAYS: '7',
  RESCAN_DIGESTS_PER_MESSAGE: '50',
};

describe('readSyncEnvironment', () => {
  it('reads what the construct sets, in the units the sync takes', () => {
    expect(readSyncEnvironment({ ...base, OVERLAP_HOURS: '6', FULL_COMPARE_EVERY_DAYS: '1.5', RESCAN_DIGESTS_PER_MESSAGE: '20' })).toEqual({
      region: 'eu-west-1',
      advisoryTable: 'customs-advisories',
      findingsTable: 'customs-findings',
      sbomBucket: 'customs-sboms',
      rescanQueueUrl: base.RESCAN_QUEUE_URL,
      continuationQueueUrl: base.CONTINUATION_QUEUE_URL,
      sourceUrl: 'https://osv-vulnerabilities.storage.googleapis.com/',
      ecosystems: 'derived',
      overlapMs: 6 * 3_600_000,
      fullCompareEveryMs: 1.5 * 86_400_000,
      digestsPerMessage: 20,
    });
  });

  it('takes a comma list of bucket folders, trimmed and each once', () => {
    expect(readSyncEnvironment({ ...base, ADVISORY_ECOSYSTEMS: ' Debian, npm ,GitHub Actions,npm,' }).ecosystems).toEqual(['Debian', 'npm', 'GitHub Actions']);
  });

  it('refuses a release, a path or an empty list, naming the variable', () => {
    expect(() => readSyncEnvironment({ ...base, ADVISORY_ECOSYSTEMS: 'Debian:12' })).toThrow(/ADVISORY_ECOSYSTEMS: "Debian:12" is not an OSV ecosystem folder name/);
    expect(() => readSyncEnvironment({ ...base, ADVISORY_ECOSYSTEMS: 'npm,../etc' })).toThrow(/ADVISORY_ECOSYSTEMS: "..\/etc"/);
    expect(() => readSyncEnvironment({ ...base, ADVISORY_ECOSYSTEMS: ' , ' })).toThrow(/ADVISORY_ECOSYSTEMS: names no ecosystem/);
  });

  it('fails the cold start naming every missing or bad value', () => {
    const { CONTINUATION_QUEUE_URL: _url, ...missing } = base;
    const read = () => readSyncEnvironment({ ...missing, RESCAN_DIGESTS_PER_MESSAGE: '0', OVERLAP_HOURS: 'soon', OSV_SOURCE_URL: 'ftp://osv' });
    expect(read).toThrow(/^advisory sync environment is incomplete: /);
    const message = (() => {
      try {
        read();
        return '';
      } catch (error) {
        return String(error);
      }
    })();
    for (const name of ['CONTINUATION_QUEUE_URL', 'RESCAN_DIGESTS_PER_MESSAGE', 'OVERLAP_HOURS', 'OSV_SOURCE_URL']) expect(message).toContain(`${name}:`);
    expect(message).not.toContain('RESCAN_QUEUE_URL:');
  });

  it('defaults what may be left out', () => {
    const { OSV_SOURCE_URL: _s, ADVISORY_ECOSYSTEMS: _e, OVERLAP_HOURS: _o, FULL_COMPARE_EVERY_DAYS: _f, RESCAN_DIGESTS_PER_MESSAGE: _d, ...required } = base;
    expect(readSyncEnvironment(required)).toMatchObject({ sourceUrl: 'https://osv-vulnerabilities.storage.googleapis.com/', ecosystems: 'derived', overlapMs: 48 * 3_600_000, fullCompareEveryMs: 7 * 86_400_000, digestsPerMessage: 50 });
  });
});
