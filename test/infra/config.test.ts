import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configFromContext, parseConfig } from '../../lib/config/customs-config.ts';
import { createCustomsApp } from '../../lib/customs-app.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'customs-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('configuration', () => {
  it('fills every default', () => {
    expect(parseConfig({})).toEqual({
      watchedRepositories: 'all',
      scanner: { memoryMiB: 1769, timeoutSeconds: 300, maxConcurrency: 10, batchSize: 1 },
      retention: { logDays: 30, historyDays: 400, sbomNoncurrentVersionDays: 30, layerAnalysisDays: 30 },
      removalPolicy: 'retain',
      queueEncryption: 'sqs-managed',
      monthlyScanVolume: 10_000,
      advisoryMaxAgeHours: 48,
      // Audit everything, failing on CRITICAL; alerts to nobody yet, events on the default bus.
      policies: { default: { mode: 'audit', failOn: 'CRITICAL', ignoreUnfixed: false, ignore: [], vex: [], quarantine: { method: 'untag', immutableTags: 'archive', enforceOnRescan: false } }, overrides: [] },
      alerts: { subscriptions: [], emailImageCap: 20, eventBus: 'default', events: true },
      operations: { topic: 'separate', subscriptions: [], oldestMessageAgeSeconds: 3600, scanFailuresPerHour: 5 },
      // Hourly from osv.dev's bucket; the cursor-age alarm at three intervals.
      advisorySync: {
        rate: 'rate(1 hour)',
        sourceUrl: 'https://osv-vulnerabilities.storage.googleapis.com',
        ecosystems: 'derived',
        overlapHours: 48,
        fullCompareEveryDays: 7,
        maxCursorAgeHours: 3,
        memoryMiB: 1024,
        timeoutSeconds: 900,
        ephemeralStorageMiB: 2048,
      },
      rescan: { maxConcurrency: 5, digestsPerMessage: 50, memoryMiB: 1024, timeoutSeconds: 300 },
      // Daily at 03:15 UTC; deleted images kept until a retention is set.
      dailyReview: { schedule: 'cron(15 3 * * ? *)', memoryMiB: 1024, timeoutSeconds: 900, backfillMaxAgeDays: 30, reviewBatchSize: 200, reviewConcurrency: 4, reindexPerRun: 500 },
      // Nobody may use the findings API until a rule names them; 50 requests a second, bursts of 100.
      api: { access: [], throttle: { rateLimit: 50, burstLimit: 100 }, logRetentionDays: 90, memoryMiB: 1024 },
    });
  });

  it('keeps what is set and defaults the rest of its group', () => {
    const config = parseConfig({ watchedRepositories: { prefixes: ['team-a/'] }, scanner: { maxConcurrency: 50 } });
    expect(config.watchedRepositories).toEqual({ names: [], prefixes: ['team-a/'] });
    expect(config.scanner).toEqual({ memoryMiB: 1769, timeoutSeconds: 300, maxConcurrency: 50, batchSize: 1 });
  });

  it('reads the context as an object (cdk.json) or a JSON string (-c customs=...)', () => {
    expect(configFromContext(undefined).watchedRepositories).toBe('all');
    expect(configFromContext('{"watchedRepositories":{"names":["web"]}}').watchedRepositories).toEqual({ names: ['web'], prefixes: [] });
    expect(() => configFromContext('{watchedRepositories')).toThrow('context customs is not JSON');
  });

  it.each([
    [{ scanner: { timeoutSeconds: 901 } }, 'customs.scanner.timeoutSeconds'],
    [{ scanner: { memoryMiB: 64 } }, 'customs.scanner.memoryMiB'],
    [{ scanner: { maxConcurrency: 1 } }, 'customs.scanner.maxConcurrency'],
    [{ scanner: { batchSize: 11 } }, 'customs.scanner.batchSize'],
    [{ retention: { logDays: 31 } }, 'customs.retention.logDays'],
    [{ retention: { historyDays: 0 } }, 'customs.retention.historyDays'],
    [{ retention: { layerAnalysisDays: 0 } }, 'customs.retention.layerAnalysisDays'],
    [{ removalPolicy: 'snapshot' }, 'customs.removalPolicy'],
    [{ queueEncryption: 'aes' }, 'customs.queueEncryption'],
    [{ monthlyScanVolume: -1 }, 'customs.monthlyScanVolume'],
    [{ advisoryMaxAgeHours: 0.5 }, 'customs.advisoryMaxAgeHours'],
    [{ watchedRepositories: { names: ['Payments'] } }, 'customs.watchedRepositories.names.0'],
    [{ watchedRepositories: { prefixes: ['/team'] } }, 'customs.watchedRepositories.prefixes.0'],
    [{ watchedRepositories: {} }, 'customs.watchedRepositories'],
    [{ watchedRepositories: 'some' }, 'customs.watchedRepositories'],
    [{ scanner: { memory: 1024 } }, 'customs.scanner'],
    [{ policies: { default: { failOn: 'SEVERE' } } }, 'customs.policies.default.failOn'],
    [{ policies: { overrides: [{ repositories: { prefixes: ['team-a/'] }, ignore: [{ id: 'CVE-2024-1' }] }] } }, 'customs.policies.overrides.0.ignore.0'],
    [{ alerts: { emailImageCap: 0 } }, 'customs.alerts.emailImageCap'],
    [{ alerts: { eventBus: 'arn:aws:sns:eu-west-1:111122223333:not-a-bus' } }, 'customs.alerts.eventBus'],
    [{ alerts: { eventBus: 'has spaces' } }, 'customs.alerts.eventBus'],
    [{ alerts: { events: 'yes' } }, 'customs.alerts.events'],
    [{ alerts: { subscriptions: [{ protocol: 'sms', endpoint: '+15555550100' }] } }, 'customs.alerts.subscriptions.0.protocol'],
    [{ alerts: { subscriptions: [{ protocol: 'email', endpoint: 'a@example.com', extra: 1 }] } }, 'customs.alerts.subscriptions.0'],
    [{ operations: { topic: 'shared' } }, 'customs.operations.topic'],
    [{ operations: { oldestMessageAgeSeconds: 30 } }, 'customs.operations.oldestMessageAgeSeconds'],
    [{ operations: { scanFailuresPerHour: 0 } }, 'customs.operations.scanFailuresPerHour'],
  ])('refuses %j, naming %s', (input, setting) => {
    expect(() => parseConfig(input)).toThrow(`${setting}:`);
  });

  const subscribe = (subscription: Record<string, unknown>): unknown => ({ alerts: { subscriptions: [subscription] } });
  const SQS_ARN = 'arn:aws:sqs:eu-west-1:111122223333:alerts-in';
  const LAMBDA_ARN = 'arn:aws:lambda:eu-west-1:111122223333:function:ticketing';

  it.each([
    [{ protocol: 'email', endpoint: 'security-team' }, 'endpoint: is not an email address'],
    [{ protocol: 'https', endpoint: 'http://hooks.example.com/customs' }, 'endpoint: is not an https:// URL'],
    [{ protocol: 'https', endpoint: 'not a url' }, 'endpoint: is not an https:// URL'],
    [{ protocol: 'sqs', endpoint: 'alerts-in' }, 'endpoint: is not an SQS queue ARN'],
    [{ protocol: 'sqs', endpoint: `${SQS_ARN}.fifo` }, 'endpoint: is a FIFO queue'],
    [{ protocol: 'sqs', endpoint: LAMBDA_ARN }, 'endpoint: is not an SQS queue ARN'],
    [{ protocol: 'lambda', endpoint: SQS_ARN }, 'endpoint: is not a Lambda function ARN'],
    [{ protocol: 'email', endpoint: 'a@example.com', rawMessageDelivery: true }, 'rawMessageDelivery: applies to sqs and https subscriptions only'],
    [{ protocol: 'lambda', endpoint: LAMBDA_ARN, rawMessageDelivery: false }, 'rawMessageDelivery: applies to sqs and https subscriptions only'],
    [{ protocol: 'sqs', endpoint: SQS_ARN, filterPolicy: { severity: { anything: ['LOW'] } } }, 'filterPolicy.severity: must be a list of conditions'],
    [{ protocol: 'sqs', endpoint: SQS_ARN, filterPolicy: { severity: [] } }, 'filterPolicy.severity: must list at least one condition'],
    [{ protocol: 'sqs', endpoint: SQS_ARN, filterPolicy: { $or: [{ repository: ['web'] }, { mode: 'enforce' }] } }, 'filterPolicy.$or.1.mode: must be a list of conditions'],
    // SNS's limits, with the audience condition the subscription gets counted in.
    [{ protocol: 'sqs', endpoint: SQS_ARN, filterPolicy: { a: ['1'], b: ['1'], c: ['1'], d: ['1'], e: ['1'] } }, 'filterPolicy: names 6 attributes (audience included); SNS accepts at most 5'],
    [{ protocol: 'sqs', endpoint: SQS_ARN, filterPolicy: { repository: Array.from({ length: 76 }, (_, index) => `repo-${String(index)}`) } }, 'filterPolicy: has 152 combinations of values (audience included)'],
  ])('refuses the alerts subscription %j: %s', (subscription, problem) => {
    expect(() => parseConfig(subscribe(subscription))).toThrow(`customs.alerts.subscriptions.0.${problem}`);
  });

  it('accepts each protocol’s endpoint, raw delivery for sqs and https, and filter policies within SNS’s limits', () => {
    const subscriptions = [
      { protocol: 'email', endpoint: 'security@example.com', filterPolicy: { severityRank: [{ numeric: ['>=', 4] }] } },
      { protocol: 'https', endpoint: 'https://hooks.example.com/customs', rawMessageDelivery: true },
      { protocol: 'sqs', endpoint: SQS_ARN, rawMessageDelivery: true, filterPolicy: { $or: [{ repository: [{ prefix: 'team-a/' }] }, { eventType: ['FAILED_POLICY'] }] } },
      { protocol: 'lambda', endpoint: `${LAMBDA_ARN}:live` },
      { protocol: 'sqs', endpoint: 'arn:aws-us-gov:sqs:us-gov-west-1:111122223333:alerts', filterPolicy: { a: ['1'], b: ['1'], c: ['1'], audience: ['all'], e: ['1'] } },
    ];
    expect(parseConfig({ alerts: { subscriptions } }).alerts.subscriptions).toEqual(subscriptions);
  });

  it('refuses a filter policy on an operations subscription: alarms carry no message attributes', () => {
    expect(() => parseConfig({ operations: { subscriptions: [{ protocol: 'email', endpoint: 'ops@example.com', filterPolicy: { eventType: ['SCAN_FAILED'] } }] } })).toThrow(
      'customs.operations.subscriptions.0.filterPolicy: alarm notifications carry no message attributes',
    );
  });

  it('refuses one protocol and endpoint twice on one topic, and allows it on two', () => {
    const mail = { protocol: 'email', endpoint: 'team@example.com' };
    expect(() => parseConfig({ alerts: { subscriptions: [mail, { ...mail, filterPolicy: { mode: ['enforce'] } }] } })).toThrow(
      'customs.alerts.subscriptions.1: repeats customs.alerts.subscriptions.0',
    );
    expect(() => parseConfig({ alerts: { subscriptions: [mail] }, operations: { topic: 'alerts', subscriptions: [mail] } })).toThrow(
      'customs.operations.subscriptions.0: repeats customs.alerts.subscriptions.0',
    );
    expect(parseConfig({ alerts: { subscriptions: [mail] }, operations: { subscriptions: [mail] } }).operations.subscriptions).toEqual([mail]);
  });

  const CI_ROLE = 'arn:aws:iam::111122223333:role/ci';

  it('reads the API access rules (read and act prefixes, none by default) and its throttling', () => {
    const config = parseConfig({
      api: {
        access: [
          { principal: CI_ROLE, read: ['team-a/'] },
          { principal: 'arn:aws:iam::111122223333:user/security/alice', read: [''], act: ['team-a/', 'team-b/'] },
          { principal: 'arn:aws-us-gov:iam::111122223333:root', read: [''] },
          { principal: 'arn:aws:iam::111122223333:role/service-role/deploy-*', act: ['web'] },
        ],
        throttle: { rateLimit: 5 },
        logRetentionDays: 365,
      },
    });
    expect(config.api.access).toEqual([
      { principal: CI_ROLE, read: ['team-a/'], act: [] },
      { principal: 'arn:aws:iam::111122223333:user/security/alice', read: [''], act: ['team-a/', 'team-b/'] },
      { principal: 'arn:aws-us-gov:iam::111122223333:root', read: [''], act: [] },
      { principal: 'arn:aws:iam::111122223333:role/service-role/deploy-*', read: [], act: ['web'] },
    ]);
    expect(config.api.throttle).toEqual({ rateLimit: 5, burstLimit: 100 });
    expect(config.api.logRetentionDays).toBe(365);
  });

  it.each([
    [{ api: { access: [{ principal: 'arn:aws:sts::111122223333:assumed-role/ci/session', read: [''] }] } }, 'customs.api.access.0.principal: must be an IAM user, role or root ARN'],
    [{ api: { access: [{ principal: 'arn:aws:iam::111122223333:role/ci*/x', read: [''] }] } }, 'customs.api.access.0.principal'],
    [{ api: { access: [{ principal: 'arn:aws:iam::111122223333:*', read: [''] }] } }, 'customs.api.access.0.principal'],
    [{ api: { access: [{ principal: '*', read: [''] }] } }, 'customs.api.access.0.principal'],
    [{ api: { access: [{ principal: CI_ROLE, read: ['Team-A/'] }] } }, 'customs.api.access.0.read.0: must be the start of an ECR repository name'],
    [{ api: { access: [{ principal: CI_ROLE, act: ['team a'] }] } }, 'customs.api.access.0.act.0'],
    [{ api: { access: [{ principal: CI_ROLE, write: ['team-a/'] }] } }, 'customs.api.access.0'],
    [{ api: { access: [{ principal: CI_ROLE, read: [''] }, { principal: CI_ROLE, act: [''] }] } }, 'customs.api.access.1.principal: repeats rule 0'],
    [{ api: { throttle: { rateLimit: 0 } } }, 'customs.api.throttle.rateLimit'],
    [{ api: { throttle: { burstLimit: 1.5 } } }, 'customs.api.throttle.burstLimit'],
    [{ api: { logRetentionDays: 2 } }, 'customs.api.logRetentionDays: must be one of'],
    [{ api: { memoryMiB: 64 } }, 'customs.api.memoryMiB'],
    [{ api: { cors: true } }, 'customs.api'],
  ])('refuses the API setting %j: %s', (input, problem) => {
    expect(() => parseConfig(input)).toThrow(problem);
  });

  it('accepts an event bus by name or ARN', () => {
    expect(parseConfig({ alerts: { eventBus: 'security-events' } }).alerts.eventBus).toBe('security-events');
    const arn = 'arn:aws:events:eu-west-1:444455556666:event-bus/central-security';
    expect(parseConfig({ alerts: { eventBus: arn } }).alerts.eventBus).toBe(arn);
  });

  it('fails building the app from a bad context, naming the setting', () => {
    expect(() => createCustomsApp({ context: { customs: { scanner: { timeoutSeconds: 1000 } } } })).toThrow('customs.scanner.timeoutSeconds: Too big');
  });

  it('fails `cdk synth` (the cdk.json app with the CLI’s context) with the setting named and a non-zero exit', () => {
    // The CDK CLI hands context to the app in CDK_CONTEXT_JSON and the output folder in CDK_OUTDIR.
    const result = spawnSync('npx', ['tsx', 'bin/app.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CDK_OUTDIR: join(scratch, 'out'), CDK_CONTEXT_JSON: JSON.stringify({ customs: { retention: { logDays: 2 } } }) },
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('customs.retention.logDays: must be one of');
  });
});
