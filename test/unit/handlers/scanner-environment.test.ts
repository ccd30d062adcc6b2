import { describe, expect, it } from 'vitest';
import { readScannerEnvironment } from '../../../lambdas/handlers/scan-image/scanner-environment.ts';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:customs-alerts';
const base = {
  AWS_REGION: 'eu-west-1',
  FINDINGS_TABLE_NAME: 'findings',
  ADVISORY_TABLE_NAME: 'advisories',
  SBOM_BUCKET_NAME: 'sboms',
  ALERTS_TOPIC_ARN: TOPIC,
  POLICY_PARAMETER_NAME: '/customs/policy',
};

describe('readScannerEnvironment', () => {
  it('reads the names the CDK construct sets', () => {
    expect(readScannerEnvironment({ ...base, ADVISORY_MAX_AGE_HOURS: '24', EVENT_BUS_NAME: 'default', EMAIL_IMAGE_CAP: '5' })).toEqual({
      region: 'eu-west-1',
      findingsTable: 'findings',
      advisoryTable: 'advisories',
      sbomBucket: 'sboms',
      advisoryMaxAgeMs: 24 * 3_600_000,
      alertsTopicArn: TOPIC,
      policyParameterName: '/customs/policy',
      eventBusName: 'default',
      emailImageCap: 5,
    });
  });

  it('sends no events without a bus and caps email at 20 images by default', () => {
    const env = readScannerEnvironment(base);
    expect(env.eventBusName).toBeUndefined();
    expect(env.emailImageCap).toBe(20);
  });

  it('reads the tag history retention when the stack sets it', () => {
    expect(readScannerEnvironment({ ...base, HISTORY_RETENTION_DAYS: '400' }).historyRetentionDays).toBe(400);
    expect(() => readScannerEnvironment({ ...base, HISTORY_RETENTION_DAYS: '1.5' })).toThrow(/HISTORY_RETENTION_DAYS/);
  });

  it('fails naming what is missing or wrong', () => {
    expect(() => readScannerEnvironment({ AWS_REGION: 'eu-west-1', FINDINGS_TABLE_NAME: 'findings' })).toThrow(/ADVISORY_TABLE_NAME.*SBOM_BUCKET_NAME.*ALERTS_TOPIC_ARN.*POLICY_PARAMETER_NAME/);
    expect(() => readScannerEnvironment({ ...base, ALERTS_TOPIC_ARN: 'customs-alerts' })).toThrow(/ALERTS_TOPIC_ARN: is not an SNS topic ARN/);
  });
});
