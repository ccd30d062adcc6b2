import type { PlatformVerdict, Verdict, VerdictFinding } from '../pipeline/verdict-model.ts';
import { eventIdOf } from './alert-id.ts';
import { withShortTitle } from './build-image-alert.ts';
import type { CustomsEvent, ImageAlert } from './alert-model.ts';
import { severityRank } from './severity-rank.ts';

export const VERDICT_EVENT_SCHEMA = 'customs.verdict-event/v1';
export const FINDING_EVENT_SCHEMA = 'customs.finding-event/v1';

/**
 * Finding events per alert at most. Each is billed ($1 per million entries), and a new image's first
 * failure can name hundreds: the worst vulnerabilities get an event each, and the verdict event's
 * `changes` lists every one (up to its own cap), as the stored verdict does.
 */
export const MAX_FINDING_EVENTS = 20;

/**
 * The EventBridge events for one image alert (event-schema.json): a `Customs Verdict` with the
 * alert's facts, and a `Customs Finding` per vulnerability that newly fails (NEW, with its worst
 * finding's package and fixed versions: one event per vulnerability, not per package or platform)
 * and per vulnerability no longer failing (RESOLVED, the ID only), worst first. Every event has a stable `eventId` and the alert's `alertId`, so consumers de-duplicate
 * redeliveries. Details are plain JSON (dates as ISO strings), exactly what is sent.
 */
export function verdictEvents(alert: ImageAlert, verdict: Verdict, repositoryArn: string): CustomsEvent[] {
  const time = new Date(alert.time);
  const resources = [repositoryArn];
  const common = {
    alertId: alert.alertId,
    eventType: alert.eventType,
    time: alert.time,
    repository: alert.repository,
  };
  const events: CustomsEvent[] = [
    {
      detailType: 'Customs Verdict',
      resources,
      time,
      detail: {
        schema: VERDICT_EVENT_SCHEMA,
        eventId: eventIdOf(alert.alertId, 'verdict'),
        ...common,
        image: { ...alert.image, tags: [...alert.image.tags], platforms: alert.image.platforms.map(platformJson) },
        verdict: alert.verdict,
        counts: alert.counts,
        failingCount: alert.failingCount,
        suppressedCount: alert.suppressedCount,
        severity: alert.severity,
        severityRank: severityRank(alert.severity),
        worstFindings: alert.worstFindings.map(findingJson),
        changes: alert.changes,
      },
    },
  ];
  const image = { digest: alert.image.digest, tags: alert.image.tags };
  const judged = { value: alert.verdict.value, policyVersion: alert.verdict.policyVersion, mode: alert.verdict.mode };
  const findingEvent = (eventId: string, state: 'NEW' | 'RESOLVED', finding: Record<string, unknown>): CustomsEvent => ({
    detailType: 'Customs Finding',
    resources,
    time,
    detail: { schema: FINDING_EVENT_SCHEMA, eventId, ...common, state, image, verdict: judged, finding },
  });
  const newly = new Set(alert.changes.newlyFailing);
  const findings: CustomsEvent[] = [];
  // verdict.failing is worst first, so the first finding of each vulnerability is its worst.
  for (const finding of verdict.failing) {
    if (!newly.delete(finding.id)) continue;
    findings.push(findingEvent(eventIdOf(alert.alertId, 'NEW', finding.manifestDigest, finding.key), 'NEW', findingJson(withShortTitle(finding))));
  }
  for (const id of alert.changes.noLongerFailing) {
    findings.push(findingEvent(eventIdOf(alert.alertId, 'RESOLVED', id), 'RESOLVED', { id }));
  }
  return [...events, ...findings.slice(0, MAX_FINDING_EVENTS)];
}

function platformJson(platform: PlatformVerdict): Record<string, unknown> {
  return { ...platform, scannedAt: platform.scannedAt.toISOString() };
}

function findingJson(finding: VerdictFinding): Record<string, unknown> {
  return {
    key: finding.key,
    id: finding.id,
    aliases: finding.aliases,
    severity: finding.severity,
    ...(finding.severitySource !== undefined ? { severitySource: finding.severitySource } : {}),
    package: finding.package,
    installedVersion: finding.installedVersion,
    fixedVersions: finding.fixedVersions,
    manifestDigest: finding.manifestDigest,
    ...(finding.title !== undefined ? { title: finding.title } : {}),
  };
}
