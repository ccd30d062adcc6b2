import type { PublishBatchRequestEntry } from '@aws-sdk/client-sns';
import type { SQSEvent } from 'aws-lambda';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbVerdictStore } from '../../../lambdas/adapters/dynamodb/dynamodb-verdict-store.ts';
import type { ImageAlert } from '../../../lambdas/core/alerts/alert-model.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import type { PolicyDocumentInput } from '../../../lambdas/core/policy/policy-document.ts';
import { runCli } from '../../support/cli.ts';
import { ACCOUNT, REGION, imageActionEvent } from '../../support/ecr-events.ts';
import { layoutOf } from '../../support/layout.ts';
import { sharedFixtures } from '../../support/paths.ts';
import { scanJson } from '../../support/scan-report.ts';
import { handlerContext, startScannerHandlerHarness, type ScannerHandlerHarness } from '../../support/scanner-handler-harness.ts';
import { appLayout } from '../dynamodb/pipeline-harness.ts';

/**
 * Verdicts and alerts end to end through the scanner handler as Lambda runs it (DynamoDB Local,
 * moto's SQS and S3, a real registry), with the policy parameter, the alerts topic and the bus
 * answered by aws-sdk-client-mock so every request is checked exactly. Findings come from the real
 * npm advisories in the shared fixtures: minimist 1.2.0 has one CRITICAL (CVE-2021-44906), lodash
 * 4.17.15 two HIGH and one MEDIUM, minimist one MEDIUM more.
 */
const NPM_ADVISORIES = sharedFixtures('osv', 'npm');
const VULNERABLE = { lodash: '4.17.15', minimist: '1.2.0' };
const LODASH_ONLY = { lodash: '4.17.15' };
const alertSchema = JSON.parse(readFileSync(new URL('../../../lambdas/core/alerts/alert-schema.json', import.meta.url), 'utf8')) as object;

const keyOf = (repository: string, digest: Digest) => ({ account: ACCOUNT, region: REGION, repository, digest });
const pushBody = (repository: string, digest: string, tag: string): string => JSON.stringify(imageActionEvent({ repository, digest, tag }));

describe('verdicts and alerts from the scanner handler', () => {
  let h: ScannerHandlerHarness;
  let verdicts: DynamoDbVerdictStore;
  const validate = addFormats.default(new Ajv2020({ strict: true, allErrors: true })).compile(alertSchema);

  beforeAll(async () => {
    h = await startScannerHandlerHarness('customs-verdicts');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
    const load = await runCli(['advisories', 'load', '--table', h.advisoryTable, '--source', NPM_ADVISORIES, '--endpoint', inject('dynamodbEndpoint'), '--region', 'us-east-1', '--quiet']);
    expect(load.code, load.stderr).toBe(0);
    verdicts = new DynamoDbVerdictStore({ client: findingsDocumentClient(h.dynamodb), tableName: h.findingsTable });
  });

  afterAll(async () => {
    await h?.stop();
  });

  /** Pushes the layout to `repository:tag` and tells the ECR stub it holds it with `tags`. */
  async function pushed(layout: string, repository: string, tags: readonly string[] = ['1']): Promise<Digest> {
    const digest = await h.pushLayout(layout, `${repository}:${tags[0]}`);
    h.ecrHas(repository, digest, tags);
    return digest;
  }

  /** Delivers push events through moto's queue to a new handler; answers the records it reported failed. */
  async function deliver(events: readonly { repository: string; digest: string; tag: string }[], clock?: { now(): Date }): Promise<string[]> {
    const { records, ids } = await h.deliver(events.map((event, index) => ({ id: `e${index}`, body: pushBody(event.repository, event.digest, event.tag) })));
    const response = await h.handler({}, clock ? { clock } : {})({ Records: records } as SQSEvent, handlerContext);
    const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    return events.flatMap((_, index) => (failed.has(ids.get(`e${index}`)!) ? [`e${index}`] : []));
  }

  const alertsFor = (repository: string): { entry: PublishBatchRequestEntry; body: ImageAlert; email: string }[] =>
    h.published.flatMap((entry) => {
      const message = JSON.parse(entry.Message!) as { default: string; email: string };
      const body = JSON.parse(message.default) as ImageAlert;
      return body.repository.name === repository ? [{ entry, body, email: message.email }] : [];
    });

  it('announces a failing image once: FAILED_POLICY with its attributes, a JSON body for machines and plain text for email, and events', async () => {
    h.setPolicy({});
    const repository = 'alerts/failing';
    const digest = await pushed(appLayout(VULNERABLE), repository);
    expect(await deliver([{ repository, digest, tag: '1' }])).toEqual([]);

    const alerts = alertsFor(repository);
    expect(alerts).toHaveLength(1);
    const [{ entry, body, email }] = alerts as [(typeof alerts)[number]];
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    const stored = await verdicts.get(keyOf(repository, digest));
    expect(stored?.verdict).toMatchObject({ verdict: 'FAIL', failOn: 'CRITICAL', mode: 'audit', failingCount: 1, failingIds: ['CVE-2021-44906'] });
    expect(stored?.announced?.alertId).toBe(body.alertId);
    expect(stored?.pending).toBeUndefined();
    expect(body).toMatchObject({
      eventType: 'FAILED_POLICY',
      repository: { account: ACCOUNT, region: REGION, name: repository },
      image: { digest, tags: ['1'], kind: 'image' },
      verdict: { value: 'FAIL', policyVersion: stored!.verdict.policyVersion, mode: 'audit', failOn: 'CRITICAL' },
      counts: { CRITICAL: 1, HIGH: 2, MEDIUM: 2, LOW: 0, UNKNOWN: 0 },
      failingCount: 1,
      changes: { newlyFailing: ['CVE-2021-44906'], noLongerFailing: [] },
      severity: 'CRITICAL',
    });
    expect(body.verdict.previous).toBeUndefined();
    expect(body.worstFindings[0]).toMatchObject({ id: 'CVE-2021-44906', severity: 'CRITICAL', fixedVersions: ['1.2.6'], package: { name: 'minimist', version: '1.2.0' } });

    expect(entry.MessageStructure).toBe('json');
    expect(entry.Subject).toMatch(/^[\x20-\x7e]{1,99}$/);
    expect(entry.Subject).toContain(repository);
    expect(entry.MessageAttributes).toEqual({
      eventType: { DataType: 'String', StringValue: 'FAILED_POLICY' },
      verdict: { DataType: 'String', StringValue: 'FAIL' },
      severity: { DataType: 'String', StringValue: 'CRITICAL' },
      severityRank: { DataType: 'Number', StringValue: '5' },
      repository: { DataType: 'String', StringValue: repository },
      mode: { DataType: 'String', StringValue: 'audit' },
      alertId: { DataType: 'String', StringValue: body.alertId },
      audience: { DataType: 'String', StringValue: 'all' },
      kind: { DataType: 'String', StringValue: 'image' },
    });
    // Email reads as text a person can act on, not JSON.
    expect(() => JSON.parse(email)).toThrow();
    expect(email).toContain('CVE-2021-44906');
    expect(email).toContain('1.2.6');
    expect(email).toContain(body.alertId);

    const events = h.events.filter((event) => (JSON.parse(event.Detail!) as { alertId: string }).alertId === body.alertId);
    expect(events.map((event) => event.DetailType).sort()).toEqual(['Customs Finding', 'Customs Verdict']);
    for (const event of events) {
      expect(event).toMatchObject({ Source: 'customs', EventBusName: 'default', Resources: [`arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${repository}`] });
    }
    const finding = JSON.parse(events.find((event) => event.DetailType === 'Customs Finding')!.Detail!) as { state: string; finding: { id: string } };
    expect(finding).toMatchObject({ state: 'NEW', finding: { id: 'CVE-2021-44906' } });
  });

  it('stores PASS for a clean image and tells nobody', async () => {
    h.setPolicy({});
    const repository = 'alerts/passing';
    const digest = await pushed(appLayout({}), repository);
    expect(await deliver([{ repository, digest, tag: '1' }])).toEqual([]);
    expect(alertsFor(repository)).toEqual([]);
    expect((await verdicts.get(keyOf(repository, digest)))?.verdict).toMatchObject({ verdict: 'PASS', failingCount: 0 });
  });

  it('announces nothing again for a duplicate event or a second tag, and exactly once across a failed publish and its retry', async () => {
    h.setPolicy({});
    const repository = 'alerts/once';
    const digest = await pushed(appLayout(VULNERABLE), repository);
    expect(await deliver([{ repository, digest, tag: '1' }])).toEqual([]);
    expect(await deliver([{ repository, digest, tag: '1' }])).toEqual([]);
    h.ecrHas(repository, digest, ['1', '2']);
    expect(await deliver([{ repository, digest, tag: '2' }])).toEqual([]);
    expect(alertsFor(repository)).toHaveLength(1);

    const retried = 'alerts/retried';
    const other = await pushed(appLayout(VULNERABLE), retried);
    h.failPublishes(1);
    // The topic throttles: the record is reported failed and the alert stays pending with the verdict.
    expect(await deliver([{ repository: retried, digest: other, tag: '1' }])).toEqual(['e0']);
    expect(alertsFor(retried)).toEqual([]);
    const pending = (await verdicts.get(keyOf(retried, other)))?.pending;
    expect(pending?.alert.eventType).toBe('FAILED_POLICY');
    // SQS redelivers after its delay: the pending alert is published under the same ID, then confirmed.
    const later = new Date(Date.now() + 5 * 60_000);
    expect(await deliver([{ repository: retried, digest: other, tag: '1' }], { now: () => later })).toEqual([]);
    const published = alertsFor(retried);
    expect(published.map(({ body }) => body.alertId)).toEqual([pending!.alert.alertId]);
    expect((await verdicts.get(keyOf(retried, other)))?.pending).toBeUndefined();
  });

  it('judges one digest by each repository’s policy: an override by prefix fails it in one and passes it in the other', async () => {
    h.setPolicy({ overrides: [{ repositories: { prefixes: ['strict/'] }, failOn: 'HIGH', mode: 'enforce' }] });
    const layout = appLayout(LODASH_ONLY);
    const digest = await pushed(layout, 'relaxed/lodash');
    expect(await pushed(layout, 'strict/lodash')).toBe(digest);
    // One after the other: the second finds the digest scanned and only judges it by its own policy.
    expect(await deliver([{ repository: 'relaxed/lodash', digest, tag: '1' }])).toEqual([]);
    expect(await deliver([{ repository: 'strict/lodash', digest, tag: '1' }])).toEqual([]);

    const relaxed = await verdicts.get(keyOf('relaxed/lodash', digest));
    const strict = await verdicts.get(keyOf('strict/lodash', digest));
    expect(relaxed?.verdict).toMatchObject({ verdict: 'PASS', failOn: 'CRITICAL', mode: 'audit', policySource: 'default' });
    expect(strict?.verdict).toMatchObject({ verdict: 'FAIL', failOn: 'HIGH', mode: 'enforce', policySource: 'prefix:strict/', failingIds: ['CVE-2020-8203', 'CVE-2021-23337'] });
    expect(strict!.verdict.policyVersion).not.toBe(relaxed!.verdict.policyVersion);
    expect(alertsFor('relaxed/lodash')).toEqual([]);
    const [strictAlert] = alertsFor('strict/lodash');
    expect(strictAlert?.entry.MessageAttributes).toMatchObject({ mode: { DataType: 'String', StringValue: 'enforce' }, severityRank: { DataType: 'Number', StringValue: '4' } });
  });

  it('changes the verdict when an ignore entry and a VEX statement cover the failing findings, as customs scan suppresses them, and back when the entry expires', async () => {
    const repository = 'exceptions/app';
    const layout = appLayout(VULNERABLE);
    const digest = await pushed(layout, repository);
    h.setPolicy({ overrides: [{ repositories: { prefixes: ['exceptions/'] }, failOn: 'HIGH' }] });
    expect(await deliver([{ repository, digest, tag: '1' }])).toEqual([]);
    expect(alertsFor(repository).map(({ body }) => [body.eventType, body.verdict.value])).toEqual([['FAILED_POLICY', 'FAIL']]);

    const ignore = { id: 'GHSA-xvch-5gv4-984h', reason: 'minimist parses only our own build flags; SEC-42', expires: '2027-01-31' };
    const vex = {
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex/exceptions-app',
      author: 'Platform security',
      timestamp: '2026-11-30T12:00:00Z',
      version: 1,
      statements: ['CVE-2020-8203', 'CVE-2021-23337'].map((name) => ({
        vulnerability: { name },
        products: [{ '@id': 'pkg:npm/lodash@4.17.15' }],
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
        impact_statement: 'zipObjectDeep and template are never called',
      })),
    };
    const policy: PolicyDocumentInput = { overrides: [{ repositories: { prefixes: ['exceptions/'] }, failOn: 'HIGH', ignore: [ignore], vex: [{ inline: vex }] }] };
    h.setPolicy(policy);
    // The next evaluation of the image (here its next event) applies the new policy.
    const before = new Date('2026-12-15T00:00:00Z');
    expect(await deliver([{ repository, digest, tag: '1' }], { now: () => before })).toEqual([]);
    const passed = await verdicts.get(keyOf(repository, digest));
    expect(passed?.verdict).toMatchObject({ verdict: 'PASS', failingCount: 0, reviewAt: new Date('2027-01-31T23:59:59.999Z') });
    expect(alertsFor(repository).map(({ body }) => [body.eventType, body.verdict.previous, body.verdict.value])).toEqual([
      ['FAILED_POLICY', undefined, 'FAIL'],
      ['VERDICT_CHANGED', 'FAIL', 'PASS'],
    ]);

    // customs scan with the same entries as files suppresses the same findings for the same reasons.
    const dir = mkdtempSync(join(tmpdir(), 'customs-policy-'));
    writeFileSync(join(dir, 'ignore.yaml'), `ignore:\n  - id: ${ignore.id}\n    reason: "${ignore.reason}"\n    expires: ${ignore.expires}\n`);
    writeFileSync(join(dir, 'app.vex.json'), JSON.stringify(vex));
    const cli = await scanJson([`oci:${layout}:latest`, '--advisories', NPM_ADVISORIES, '--ignore-file', join(dir, 'ignore.yaml'), '--vex', join(dir, 'app.vex.json'), '--fail-on', 'HIGH']);
    expect(cli.code, cli.stderr).toBe(0);
    const cliSuppressed = cli.report.images[0]!.suppressed.map((entry) => [entry.finding.id, entry.by, entry.reason]).sort();
    expect(passed!.verdict.suppressions.map((entry) => [entry.id, entry.by, entry.reason]).sort()).toEqual(cliSuppressed);
    expect(cliSuppressed.map(([id]) => id)).toEqual(['CVE-2020-8203', 'CVE-2021-23337', 'CVE-2021-44906']);

    // Past the expiry the entry no longer applies: the verdict changes back at the next evaluation.
    const after = new Date('2027-02-01T00:00:01Z');
    expect(await deliver([{ repository, digest, tag: '1' }], { now: () => after })).toEqual([]);
    expect((await verdicts.get(keyOf(repository, digest)))?.verdict).toMatchObject({ verdict: 'FAIL', failingIds: ['CVE-2021-44906'] });
    const last = alertsFor(repository).at(-1)!.body;
    expect([last.eventType, last.verdict.previous, last.verdict.value, last.changes.newlyFailing]).toEqual(['VERDICT_CHANGED', 'PASS', 'FAIL', ['CVE-2021-44906']]);
  });

  it('announces ADVISORIES_UNAVAILABLE, never PASS, when an ecosystem the image needs has no advisories', async () => {
    h.setPolicy({});
    const repository = 'alerts/unavailable';
    const layout = layoutOf([
      {
        entries: [
          { type: 'file', path: 'app/node_modules/lodash/package.json', content: JSON.stringify({ name: 'lodash', version: '4.17.15' }) },
          { type: 'file', path: 'usr/lib/python3/dist-packages/requests-2.19.0.dist-info/METADATA', content: 'Metadata-Version: 2.1\nName: requests\nVersion: 2.19.0\n' },
          { type: 'file', path: 'app/marker', content: repository },
        ],
      },
    ]);
    const digest = await pushed(layout, repository);
    expect(await deliver([{ repository, digest, tag: '1' }])).toEqual([]);
    const [alert] = alertsFor(repository);
    expect(alert?.body).toMatchObject({ eventType: 'ADVISORIES_UNAVAILABLE', verdict: { value: 'ADVISORIES_UNAVAILABLE' } });
    expect(alert!.body.verdict.reason).toContain('PyPI');
    expect(alert!.entry.MessageAttributes?.eventType?.StringValue).toBe('ADVISORIES_UNAVAILABLE');
    expect((await verdicts.get(keyOf(repository, parseDigest(digest))))?.verdict.verdict).toBe('ADVISORIES_UNAVAILABLE');
  });
});
