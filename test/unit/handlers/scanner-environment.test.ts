import { describe, expect, it } from 'vitest';
import { readScannerEnvironment } from '../../../lambdas/handlers/scan-image/scanner-environment.ts';

describe('readScannerEnvironment', () => {
  it('reads the names the CDK construct sets', () => {
    expect(
      readScannerEnvironment({ AWS_REGION: 'eu-west-1', FINDINGS_TABLE_NAME: 'findings', ADVISORY_TABLE_NAME: 'advisories', SBOM_BUCKET_NAME: 'sboms', ADVISORY_MAX_AGE_HOURS: '24' }),
    ).toEqual({ region: 'eu-west-1', findingsTable: 'findings', advisoryTable: 'advisories', sbomBucket: 'sboms', advisoryMaxAgeMs: 24 * 3_600_000 });
  });

  it('reads the tag history retention when the stack sets it', () => {
    const base = { AWS_REGION: 'eu-west-1', FINDINGS_TABLE_NAME: 'findings', ADVISORY_TABLE_NAME: 'advisories', SBOM_BUCKET_NAME: 'sboms' };
    expect(readScannerEnvironment({ ...base, HISTORY_RETENTION_DAYS: '400' }).historyRetentionDays).toBe(400);
    expect(() => readScannerEnvironment({ ...base, HISTORY_RETENTION_DAYS: '1.5' })).toThrow(/HISTORY_RETENTION_DAYS/);
  });

  it('fails naming what is missing', () => {
    expect(() => readScannerEnvironment({ AWS_REGION: 'eu-west-1', FINDINGS_TABLE_NAME: 'findings' })).toThrow(/ADVISORY_TABLE_NAME.*SBOM_BUCKET_NAME/);
  });
});
