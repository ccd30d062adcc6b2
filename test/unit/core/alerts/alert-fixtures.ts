import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnySchemaObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ImageAlert } from '../../../../lambdas/core/alerts/alert-model.ts';
import { buildImageAlert } from '../../../../lambdas/core/alerts/build-image-alert.ts';
import type { AlertEventType } from '../../../../lambdas/core/alerts/alert-model.ts';
import type { Digest } from '../../../../lambdas/core/digest.ts';
import { SEVERITIES, type Severity } from '../../../../lambdas/core/findings/model.ts';
import { isAtLeast } from '../../../../lambdas/core/findings/severity-order.ts';
import type { ImageKey } from '../../../../lambdas/core/pipeline/model.ts';
import type { AnnouncedVerdict, Verdict, VerdictFinding, VerdictValue } from '../../../../lambdas/core/pipeline/verdict-model.ts';
import { repoRoot } from '../../../support/paths.ts';

/**
 * Hand-built verdicts and alerts for the alert tests: a verdict is derived from its failing and
 * remaining findings the way the model documents it (counts, failingIds, failingCount), so tests
 * state only the findings and what they change.
 */
export function digestOf(seed: string): Digest {
  return `sha256:${createHash('sha256').update(seed).digest('hex')}` as Digest;
}

export const T0 = new Date('2026-03-02T10:00:00.000Z');

export function imageKey(overrides: Partial<ImageKey> = {}): ImageKey {
  return { account: '111122223333', region: 'eu-west-1', repository: 'team-a/app', digest: digestOf('app'), ...overrides };
}

export function finding(id: string, severity: Severity, overrides: Partial<VerdictFinding> = {}): VerdictFinding {
  const name = overrides.package?.name ?? 'openssl';
  return {
    key: `${id}|pkg:deb/debian/${name}@3.0.11-1|/var/lib/dpkg/status`,
    id,
    aliases: [],
    severity,
    package: { name, version: '3.0.11-1', purl: `pkg:deb/debian/${name}@3.0.11-1`, type: 'deb', path: '/var/lib/dpkg/status' },
    installedVersion: '3.0.11-1',
    fixedVersions: ['3.0.13-1'],
    manifestDigest: digestOf('app'),
    ...overrides,
  };
}

export interface VerdictSpec {
  readonly verdict?: VerdictValue;
  /** Remaining findings after the policy; those at or above failOn fail. */
  readonly findings?: readonly VerdictFinding[];
  readonly failOn?: Severity;
  readonly policyVersion?: string;
  readonly reason?: string;
  readonly suppressedCount?: number;
  readonly platforms?: Verdict['platforms'];
}

export function verdictOf(spec: VerdictSpec = {}): Verdict {
  const failOn = spec.failOn ?? 'HIGH';
  const findings = [...(spec.findings ?? [])].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
  const failing = findings.filter((f) => isAtLeast(f.severity, failOn));
  const counts = Object.fromEntries(SEVERITIES.map((severity) => [severity, findings.filter((f) => f.severity === severity).length])) as Record<Severity, number>;
  return {
    verdict: spec.verdict ?? (failing.length > 0 ? 'FAIL' : 'PASS'),
    ...(spec.reason !== undefined ? { reason: spec.reason } : {}),
    policyVersion: spec.policyVersion ?? 'pv1-0000000000000001',
    policySource: 'prefix:team-a/',
    mode: 'audit',
    failOn,
    counts,
    failingCount: failing.length,
    failingIds: [...new Set(failing.map((f) => f.id))].sort(),
    failing: failing.slice(0, 100),
    worst: findings.slice(0, 10),
    suppressedCount: spec.suppressedCount ?? 0,
    suppressions: [],
    platforms: spec.platforms ?? [
      { digest: digestOf('app'), platform: { os: 'linux', architecture: 'amd64' }, verdict: spec.verdict ?? (failing.length > 0 ? 'FAIL' : 'PASS'), status: 'SCANNED', scannedAt: T0 },
    ],
    evaluatedAt: T0,
  };
}

export function announcedOf(verdict: VerdictValue, failingIds: readonly string[] = [], overrides: Partial<AnnouncedVerdict> = {}): AnnouncedVerdict {
  return { verdict, failingIds, policyVersion: 'pv1-0000000000000001', at: new Date('2026-03-01T09:00:00.000Z'), ...overrides };
}

export interface AlertSpec {
  readonly eventType?: AlertEventType;
  readonly key?: Partial<ImageKey>;
  readonly tags?: readonly string[];
  readonly verdict?: Verdict;
  readonly announced?: AnnouncedVerdict;
}

export function alertOf(spec: AlertSpec = {}): ImageAlert {
  return buildImageAlert({
    eventType: spec.eventType ?? 'FAILED_POLICY',
    key: imageKey(spec.key),
    tags: spec.tags ?? ['1.2'],
    kind: 'image',
    verdict: spec.verdict ?? verdictOf({ findings: [finding('CVE-2026-0001', 'CRITICAL')] }),
    ...(spec.announced ? { announced: spec.announced } : {}),
    time: T0,
  });
}

/**
 * Validators for the alert and event schemas. `strict` also refuses any property a schema does not
 * document (every object schema closed), so a field added to a builder without the schema fails.
 */
export function schemaValidators(options: { strict: boolean }): { alert: ValidateFunction; event: ValidateFunction } {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats.default(ajv);
  const load = (file: string): AnySchemaObject => {
    const schema = JSON.parse(readFileSync(join(repoRoot, 'lambdas', 'core', 'alerts', file), 'utf8')) as AnySchemaObject;
    return options.strict ? closeObjects(schema) : schema;
  };
  const alertSchema = load('alert-schema.json');
  const eventSchema = load('event-schema.json');
  ajv.addSchema(alertSchema);
  ajv.addSchema(eventSchema);
  return { alert: ajv.getSchema(alertSchema.$id as string)!, event: ajv.getSchema(eventSchema.$id as string)! };
}

function closeObjects(schema: AnySchemaObject): AnySchemaObject {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (node === null || typeof node !== 'object') return node;
    const copy = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, visit(value)]));
    if (copy.type === 'object' && copy.properties) copy.additionalProperties = false;
    return copy;
  };
  return visit(schema) as AnySchemaObject;
}

/** What a subscriber receives: the JSON round trip (dates as ISO strings). */
export function asJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}
