import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readRescanEnvironment } from '../../../lambdas/handlers/rescan-images/rescan-environment.ts';
import { readScannerEnvironment } from '../../../lambdas/handlers/scan-image/scanner-environment.ts';
import { judgingEnvironmentOf, judgingVariables, readMatchingEnvironment } from '../../../lambdas/handlers/shared/judging-environment.ts';
import { readEnvironment } from '../../../lambdas/handlers/shared/read-environment.ts';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:customs-alerts';
/** What every judging function's construct sets (scanner, rescan, daily pass), and the matching functions' advisory table. */
const base = {
  AWS_REGION: 'eu-west-1',
  FINDINGS_TABLE_NAME: 'findings',
  ADVISORY_TABLE_NAME: 'advisories',
  SBOM_BUCKET_NAME: 'sboms',
  ALERTS_TOPIC_ARN: TOPIC,
  POLICY_PARAMETER_NAME: '/customs/policy',
};
const judging = z.object(judgingVariables);

describe('readEnvironment', () => {
  it('returns the parsed values, and names every bad variable once under what it reads', () => {
    const schema = z.object({ A: z.string().min(1), B: z.coerce.number().int() });
    expect(readEnvironment(schema, { A: 'x', B: '3' }, 'demo')).toEqual({ A: 'x', B: 3 });
    expect(() => readEnvironment(schema, { B: '1.5' }, 'demo')).toThrow(/^demo environment is incomplete: A: .+; B: .+$/);
  });
});

describe('the judging variables', () => {
  it('map to the judging environment, optional values only when set', () => {
    expect(judgingEnvironmentOf(judging.parse({ ...base, HISTORY_RETENTION_DAYS: '400', EVENT_BUS_NAME: 'customs', EMAIL_IMAGE_CAP: '5' }))).toEqual({
      region: 'eu-west-1',
      findingsTable: 'findings',
      sbomBucket: 'sboms',
      historyRetentionDays: 400,
      alertsTopicArn: TOPIC,
      policyParameterName: '/customs/policy',
      eventBusName: 'customs',
      emailImageCap: 5,
    });
    const defaults = judgingEnvironmentOf(judging.parse(base));
    expect(Object.keys(defaults)).not.toContain('eventBusName');
    expect(Object.keys(defaults)).not.toContain('historyRetentionDays');
    expect(defaults.emailImageCap).toBe(20);
  });

  it('refuse a topic that is no SNS ARN, a fractional retention and an email cap under one', () => {
    const read = (env: Record<string, string>) => readEnvironment(judging, env, 'judging');
    expect(() => read({ ...base, ALERTS_TOPIC_ARN: 'customs-alerts' })).toThrow(/ALERTS_TOPIC_ARN: is not an SNS topic ARN/);
    expect(() => read({ ...base, HISTORY_RETENTION_DAYS: '1.5' })).toThrow(/HISTORY_RETENTION_DAYS/);
    expect(() => read({ ...base, EMAIL_IMAGE_CAP: '0' })).toThrow(/EMAIL_IMAGE_CAP/);
  });
});

describe('readMatchingEnvironment', () => {
  it('adds the advisory table and the advisory age limit (48 hours unless set) to the judging environment', () => {
    expect(readMatchingEnvironment(base, 'matching')).toEqual({ ...judgingEnvironmentOf(judging.parse(base)), advisoryTable: 'advisories', advisoryMaxAgeMs: 48 * 3_600_000 });
    expect(readMatchingEnvironment({ ...base, ADVISORY_MAX_AGE_HOURS: '24' }, 'matching').advisoryMaxAgeMs).toBe(24 * 3_600_000);
  });

  it('fails under the name it is given, naming each missing variable', () => {
    expect(() => readMatchingEnvironment({ AWS_REGION: 'eu-west-1', FINDINGS_TABLE_NAME: 'findings' }, 'rescan')).toThrow(
      /^rescan environment is incomplete: ADVISORY_TABLE_NAME.*SBOM_BUCKET_NAME.*ALERTS_TOPIC_ARN.*POLICY_PARAMETER_NAME/,
    );
  });
});

describe.each([
  { what: 'scanner', read: readScannerEnvironment },
  { what: 'rescan', read: readRescanEnvironment },
])('the $what environment', ({ what, read }) => {
  it('reads the names its CDK construct sets, as the other matching function does', () => {
    expect(read({ ...base, ADVISORY_MAX_AGE_HOURS: '24', HISTORY_RETENTION_DAYS: '400', EVENT_BUS_NAME: 'default', EMAIL_IMAGE_CAP: '5', POWERTOOLS_SERVICE_NAME: `customs-${what}` })).toEqual({
      region: 'eu-west-1',
      findingsTable: 'findings',
      advisoryTable: 'advisories',
      sbomBucket: 'sboms',
      advisoryMaxAgeMs: 24 * 3_600_000,
      historyRetentionDays: 400,
      alertsTopicArn: TOPIC,
      policyParameterName: '/customs/policy',
      eventBusName: 'default',
      emailImageCap: 5,
    });
  });

  it('fails its cold start under its own name', () => {
    expect(() => read({ ...base, ALERTS_TOPIC_ARN: 'customs-alerts' })).toThrow(new RegExp(`^${what} environment is incomplete: ALERTS_TOPIC_ARN: is not an SNS topic ARN$`));
  });
});
