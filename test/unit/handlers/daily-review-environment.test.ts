import { describe, expect, it } from 'vitest';
import { readDailyEnvironment } from '../../../lambdas/handlers/daily-review/daily-environment.ts';
import { DAILY_ENVIRONMENT } from '../../../lib/constructs/daily-review.ts';

const base = {
  AWS_REGION: 'eu-west-1',
  FINDINGS_TABLE_NAME: 'customs-findings',
  SBOM_BUCKET_NAME: 'customs-sboms',
  SCAN_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/customs-scan',
  ALERTS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:customs-alerts',
  POLICY_PARAMETER_NAME: '/customs/policy',
};

describe('the daily pass environment', () => {
  it('reads the construct\'s names, with defaults for the tunables', () => {
    expect(readDailyEnvironment({ ...base, [DAILY_ENVIRONMENT.watchedAll]: 'all' })).toEqual({
      region: 'eu-west-1',
      findingsTable: 'customs-findings',
      sbomBucket: 'customs-sboms',
      scanQueueUrl: base.SCAN_QUEUE_URL,
      watched: 'all',
      reviewBatchSize: 200,
      reviewConcurrency: 4,
      reindexPerRun: 500,
      alertsTopicArn: base.ALERTS_TOPIC_ARN,
      policyParameterName: '/customs/policy',
      emailImageCap: 20,
    });
    const named = readDailyEnvironment({
      ...base,
      [DAILY_ENVIRONMENT.watchedNames]: 'web, api',
      [DAILY_ENVIRONMENT.watchedPrefixes]: 'team-a/',
      [DAILY_ENVIRONMENT.backfillMaxAgeDays]: '30',
      [DAILY_ENVIRONMENT.deletedRetentionDays]: '90',
      [DAILY_ENVIRONMENT.reindexPerRun]: '0',
      [DAILY_ENVIRONMENT.eventBus]: 'default',
    });
    expect(named).toMatchObject({ watched: { names: ['web', 'api'], prefixes: ['team-a/'] }, backfillMaxAgeDays: 30, deletedRetentionDays: 90, reindexPerRun: 0, eventBusName: 'default' });
    // Set by the construct's names alone, every value arrives where the handler reads it.
    const E = DAILY_ENVIRONMENT;
    const byConstruct = readDailyEnvironment({
      AWS_REGION: 'eu-central-1',
      [E.findingsTable]: 'f-table',
      [E.sbomBucket]: 's-bucket',
      [E.scanQueue]: 'https://sqs.eu-central-1.amazonaws.com/111122223333/q',
      [E.watchedPrefixes]: 'p/',
      [E.backfillMaxAgeDays]: '7',
      [E.reviewBatchSize]: '50',
      [E.reviewConcurrency]: '3',
      [E.reindexPerRun]: '25',
      [E.deletedRetentionDays]: '60',
      [E.historyDays]: '400',
      [E.alertsTopic]: 'arn:aws:sns:eu-central-1:111122223333:a',
      [E.eventBus]: 'bus',
      [E.policyParameter]: '/p',
      [E.emailImageCap]: '5',
    });
    expect(byConstruct).toEqual({
      region: 'eu-central-1',
      findingsTable: 'f-table',
      sbomBucket: 's-bucket',
      scanQueueUrl: 'https://sqs.eu-central-1.amazonaws.com/111122223333/q',
      watched: { names: [], prefixes: ['p/'] },
      backfillMaxAgeDays: 7,
      reviewBatchSize: 50,
      reviewConcurrency: 3,
      reindexPerRun: 25,
      deletedRetentionDays: 60,
      historyRetentionDays: 400,
      alertsTopicArn: 'arn:aws:sns:eu-central-1:111122223333:a',
      eventBusName: 'bus',
      policyParameterName: '/p',
      emailImageCap: 5,
    });
  });

  it('refuses a watched selection that is missing or contradictory, and bad numbers, naming them', () => {
    expect(() => readDailyEnvironment(base)).toThrow(/WATCHED_REPOSITORIES=all or WATCHED_REPOSITORY_NAMES/);
    expect(() => readDailyEnvironment({ ...base, WATCHED_REPOSITORIES: 'all', WATCHED_REPOSITORY_NAMES: 'web' })).toThrow(/leaves no room/);
    expect(() => readDailyEnvironment({ ...base, WATCHED_REPOSITORIES: 'some' })).toThrow(/WATCHED_REPOSITORIES/);
    expect(() => readDailyEnvironment({ ...base, WATCHED_REPOSITORIES: 'all', BACKFILL_MAX_AGE_DAYS: '0' })).toThrow(/BACKFILL_MAX_AGE_DAYS/);
    expect(() => readDailyEnvironment({ ...base, WATCHED_REPOSITORIES: 'all', ALERTS_TOPIC_ARN: 'customs-alerts' })).toThrow(/ALERTS_TOPIC_ARN: is not an SNS topic ARN/);
  });
});
