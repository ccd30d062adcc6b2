import { describe, expect, it } from 'vitest';
import { readRescanEnvironment } from '../../../lambdas/handlers/rescan-images/rescan-environment.ts';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:customs-alerts';
/** The names RESCAN_ENVIRONMENT (lib/constructs/rescan-pipeline.ts) sets. */
const base = {
  AWS_REGION: 'eu-west-1',
  FINDINGS_TABLE_NAME: 'findings',
  ADVISORY_TABLE_NAME: 'advisories',
  SBOM_BUCKET_NAME: 'sboms',
  HISTORY_RETENTION_DAYS: '400',
  ALERTS_TOPIC_ARN: TOPIC,
  POLICY_PARAMETER_NAME: '/customs/policy',
  EMAIL_IMAGE_CAP: '5',
  POWERTOOLS_SERVICE_NAME: 'customs-rescan',
};

describe('readRescanEnvironment', () => {
  it('reads the names the CDK construct sets', () => {
    expect(readRescanEnvironment({ ...base, EVENT_BUS_NAME: 'customs' })).toEqual({
      region: 'eu-west-1',
      findingsTable: 'findings',
      advisoryTable: 'advisories',
      sbomBucket: 'sboms',
      historyRetentionDays: 400,
      alertsTopicArn: TOPIC,
      policyParameterName: '/customs/policy',
      eventBusName: 'customs',
      emailImageCap: 5,
      advisoryMaxAgeMs: 48 * 3_600_000,
    });
  });

  it('sends no events without a bus, keeps history without a retention, caps email at 20 by default', () => {
    const { EMAIL_IMAGE_CAP: _cap, HISTORY_RETENTION_DAYS: _days, ...rest } = base;
    const env = readRescanEnvironment(rest);
    expect(env.eventBusName).toBeUndefined();
    expect(env.historyRetentionDays).toBeUndefined();
    expect(env.emailImageCap).toBe(20);
  });

  it('takes the scanner advisory age limit when set', () => {
    expect(readRescanEnvironment({ ...base, ADVISORY_MAX_AGE_HOURS: '24' }).advisoryMaxAgeMs).toBe(24 * 3_600_000);
  });

  it('fails naming what is missing or wrong', () => {
    expect(() => readRescanEnvironment({ AWS_REGION: 'eu-west-1', FINDINGS_TABLE_NAME: 'findings' })).toThrow(
      /rescan environment is incomplete: ADVISORY_TABLE_NAME.*SBOM_BUCKET_NAME.*ALERTS_TOPIC_ARN.*POLICY_PARAMETER_NAME/,
    );
    expect(() => readRescanEnvironment({ ...base, ALERTS_TOPIC_ARN: 'customs-alerts' })).toThrow(/ALERTS_TOPIC_ARN: is not an SNS topic ARN/);
    expect(() => readRescanEnvironment({ ...base, HISTORY_RETENTION_DAYS: '1.5' })).toThrow(/HISTORY_RETENTION_DAYS/);
    expect(() => readRescanEnvironment({ ...base, EMAIL_IMAGE_CAP: '0' })).toThrow(/EMAIL_IMAGE_CAP/);
  });
});
