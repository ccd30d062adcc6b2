import { compareSeverity } from '../findings/severity-order.ts';
import { groupAlertIdOf } from './alert-id.ts';
import { ALERT_SCHEMA, MAX_GROUP_LISTED, type GroupAlert, type ImageAlert, type OutgoingAlert } from './alert-model.ts';
import { worstSeverity } from './severity-rank.ts';

export interface DeliveryOptions {
  /** Per-image messages people (email) get per group; past it they get one group summary. */
  readonly emailImageCap: number;
  /** The evaluation run's time, the group alerts' `time`. */
  readonly time: Date;
}

/**
 * Who gets which alert of one evaluation run. Alerts are grouped per repository, verdict and
 * advisory (a new glibc CVE failing 500 images of one repository is one group); a group no larger
 * than the cap goes to everyone image by image. A larger one: the first `cap` images (by digest)
 * to everyone, the rest to machines only, and one summary of the whole group to people, so email
 * subscribers get at most cap + 1 messages per group while SQS/Lambda/HTTPS still see every image.
 *
 * The group key also holds the event type, mode and policy version, so a summary states only what
 * is true of every image in it. Output is in group-key order, each group's images by digest, the
 * summary after them. A repeated alert (same alertId) goes out once.
 */
export function planDelivery(alerts: readonly ImageAlert[], options: DeliveryOptions): OutgoingAlert[] {
  const cap = options.emailImageCap;
  if (!Number.isInteger(cap) || cap < 0) throw new RangeError(`emailImageCap must be a whole number >= 0, not ${cap}`);
  const groups = new Map<string, { advisory: string; members: ImageAlert[] }>();
  const seen = new Set<string>();
  for (const alert of alerts) {
    if (seen.has(alert.alertId)) continue;
    seen.add(alert.alertId);
    const advisory = advisoryOf(alert);
    const key = groupKey(alert, advisory);
    const group = groups.get(key) ?? { advisory, members: [] };
    group.members.push(alert);
    groups.set(key, group);
  }
  const out: OutgoingAlert[] = [];
  for (const key of [...groups.keys()].sort(compareText)) {
    const { advisory, members } = groups.get(key)!;
    members.sort(byDigest);
    if (members.length <= cap) {
      for (const alert of members) out.push({ alert, audience: 'all' });
      continue;
    }
    members.forEach((alert, index) => out.push({ alert, audience: index < cap ? 'all' : 'machines' }));
    out.push({ alert: groupAlert(members, advisory, options.time), audience: 'people' });
  }
  return out;
}

/**
 * What a change is about: the worst newly failing vulnerability (by the severities the alert
 * carries; the first ID when none of them is listed), else the first one no longer failing, else
 * `policy` (the verdict moved without any ID changing: a scan failed, the policy changed).
 */
export function advisoryOf(alert: ImageAlert): string {
  const { newlyFailing, noLongerFailing } = alert.changes;
  const newly = new Set(newlyFailing);
  const rated = alert.worstFindings
    .filter((finding) => newly.has(finding.id))
    .sort((a, b) => compareSeverity(a.severity, b.severity) || compareText(a.id, b.id));
  return rated[0]?.id ?? newlyFailing[0] ?? noLongerFailing[0] ?? 'policy';
}

function groupKey(alert: ImageAlert, advisory: string): string {
  const { repository, verdict } = alert;
  return JSON.stringify([repository.account, repository.region, repository.name, verdict.value, alert.eventType, advisory, verdict.mode, verdict.policyVersion]);
}

function groupAlert(members: readonly ImageAlert[], advisory: string, time: Date): GroupAlert {
  const first = members[0]!;
  return {
    schema: ALERT_SCHEMA,
    kind: 'group',
    alertId: groupAlertIdOf(members.map((alert) => alert.alertId)),
    eventType: first.eventType,
    time: time.toISOString(),
    repository: first.repository,
    advisory,
    verdict: { value: first.verdict.value, mode: first.verdict.mode, policyVersion: first.verdict.policyVersion },
    images: {
      total: members.length,
      listed: members.slice(0, MAX_GROUP_LISTED).map((alert) => ({ digest: alert.image.digest, tags: alert.image.tags, alertId: alert.alertId })),
    },
    severity: worstSeverity(members.map((alert) => alert.severity)),
  };
}

function byDigest(a: ImageAlert, b: ImageAlert): number {
  return compareText(a.image.digest, b.image.digest) || compareText(a.alertId, b.alertId);
}

/** Code-unit order, the same on every machine and locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
