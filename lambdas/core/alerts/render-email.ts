import { SEVERITIES, type Severity } from '../findings/model.ts';
import { formatPlatform } from '../image/platform.ts';
import type { VerdictFinding } from '../pipeline/verdict-model.ts';
import { isAtLeast } from '../findings/severity-order.ts';
import { MAX_CHANGED_IDS } from './build-image-alert.ts';
import { ALERT_SCHEMA, type Alert, type GroupAlert, type ImageAlert } from './alert-model.ts';

/** The email form of an alert: SNS sends `subject` and `text` to email subscribers. */
export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
}

/** SNS refuses a subject of 100 characters or more, or with anything but printable ASCII. */
export const MAX_SUBJECT_LENGTH = 99;
const MAX_VALUE = 200;
const MAX_TITLE = 160;
const MAX_TAGS_LISTED = 20;
const MAX_FIXED_LISTED = 5;

export function renderEmail(alert: Alert): RenderedEmail {
  return alert.kind === 'image' ? renderImage(alert) : renderGroup(alert);
}

function renderImage(alert: ImageAlert): RenderedEmail {
  const { image, verdict, repository } = alert;
  const name = clean(repository.name, MAX_VALUE);
  const tag = image.tags[0];
  const reference = tag !== undefined ? `${name}:${clean(tag, MAX_VALUE)}` : `${name}@${shortDigest(image.digest)}`;
  const lines = [
    headline(alert, reference),
    '',
    `Repository: ${name} (account ${clean(repository.account, 20)}, ${clean(repository.region, 40)})`,
    `Tags:       ${listTags(image.tags)}`,
    `Digest:     ${image.digest}`,
    ...platformLines(alert),
    '',
    `Verdict:    ${verdictText(alert)}`,
    ...(verdict.reason !== undefined ? [`Reason:     ${clean(verdict.reason, MAX_VALUE)}`] : []),
    `Policy:     version ${clean(verdict.policyVersion, 40)} from ${clean(verdict.policySource, MAX_VALUE)}, mode ${verdict.mode}, fails at ${verdict.failOn} and above`,
    '',
    `Findings after the policy: ${countsText(alert.counts)}`,
    `Failing: ${alert.failingCount}; suppressed by the policy: ${alert.suppressedCount}`,
    ...worstLines(alert.worstFindings),
    '',
    'What changed since the last alert:',
    ...changeLines(alert),
    ...quarantineLines(alert, name),
    '',
    footer(alert),
  ];
  return { subject: subjectOf(`[Customs] ${subjectLabel(alert)} ${reference}${subjectSummary(alert)}`), text: lines.join('\n') + '\n' };
}

function renderGroup(alert: GroupAlert): RenderedEmail {
  const { images, verdict, repository } = alert;
  const name = clean(repository.name, MAX_VALUE);
  const advisory = clean(alert.advisory, MAX_VALUE);
  const about = alert.advisory === 'policy' ? 'a policy or scan change' : advisory;
  const more = images.total - images.listed.length;
  const lines = [
    `Customs: ${images.total} images in ${name} are now ${verdict.value} (${alert.eventType}), grouped by ${about}`,
    '',
    `Repository: ${name} (account ${clean(repository.account, 20)}, ${clean(repository.region, 40)})`,
    `Verdict:    ${verdict.value}`,
    `Policy:     version ${clean(verdict.policyVersion, 40)}, mode ${verdict.mode}`,
    `Advisory:   ${advisory}`,
    `Severity:   ${alert.severity} (the worst among the images)`,
    '',
    `Images (${images.total}${more > 0 ? `, the first ${images.listed.length} by digest` : ''}):`,
    ...images.listed.map((listed) => `  ${listed.digest}  ${listTags(listed.tags)}`),
    ...(more > 0 ? [`  ... and ${more} more`] : []),
    '',
    'Each image has its own alert, as JSON for SQS, HTTPS and Lambda subscribers; only the first of them are emailed.',
    footer(alert),
  ];
  const subject = `[Customs] ${verdict.value} ${name} - ${images.total} images, ${alert.advisory === 'policy' ? 'policy' : advisory}`;
  return { subject: subjectOf(subject), text: lines.join('\n') + '\n' };
}

function headline(alert: ImageAlert, reference: string): string {
  const { verdict } = alert;
  switch (alert.eventType) {
    case 'FAILED_POLICY':
      return `Customs: ${reference} fails its repository's policy`;
    case 'SCAN_FAILED':
      return `Customs: ${reference} could not be scanned`;
    case 'ADVISORIES_UNAVAILABLE':
      return `Customs: ${reference} could not be judged: advisories are unavailable`;
    case 'VERDICT_CHANGED':
      return `Customs: the verdict of ${reference} changed to ${verdict.value}${verdict.previous ? ` (was ${verdict.previous})` : ''}`;
    case 'NEW_FINDINGS':
      return `Customs: ${reference} has new vulnerabilities failing its policy (advisories changed)`;
    case 'RESOLVED':
      return `Customs: vulnerabilities failing the policy of ${reference} were resolved (advisories changed)`;
    case 'QUARANTINED':
      return `Customs: ${reference} was quarantined`;
    case 'RELEASED':
      return `Customs: ${reference} was released from quarantine`;
    case 'QUARANTINE_SKIPPED':
      return `Customs: ${reference} fails its policy but was not quarantined`;
  }
}

function subjectLabel(alert: ImageAlert): string {
  switch (alert.eventType) {
    case 'FAILED_POLICY':
      return 'FAIL';
    case 'SCAN_FAILED':
      return 'SCAN FAILED';
    case 'ADVISORIES_UNAVAILABLE':
      return 'NO ADVISORIES';
    case 'VERDICT_CHANGED':
      return alert.verdict.previous ? `${alert.verdict.value} (was ${alert.verdict.previous})` : alert.verdict.value;
    case 'NEW_FINDINGS':
      return `NEW FINDINGS ${alert.verdict.value}`;
    case 'RESOLVED':
      return `RESOLVED ${alert.verdict.value}`;
    case 'QUARANTINED':
      return 'QUARANTINED';
    case 'RELEASED':
      return 'RELEASED';
    case 'QUARANTINE_SKIPPED':
      return 'NOT QUARANTINED';
  }
}

/** What the reader most needs in the subject: the failing counts, or why it could not be judged. */
function subjectSummary(alert: ImageAlert): string {
  if (alert.verdict.value === 'FAIL') {
    const failing = SEVERITIES.filter((severity) => isAtLeast(severity, alert.verdict.failOn) && alert.counts[severity] > 0);
    return failing.length > 0 ? ` - ${failing.map((severity) => `${alert.counts[severity]} ${severity}`).join(', ')}` : '';
  }
  if (alert.verdict.value !== 'PASS' && alert.verdict.reason !== undefined) return ` - ${alert.verdict.reason}`;
  return '';
}

function verdictText(alert: ImageAlert): string {
  const { verdict } = alert;
  return `${verdict.value}${verdict.previous ? ` (was ${verdict.previous})` : ''}  [${alert.eventType}]`;
}

function platformLines(alert: ImageAlert): string[] {
  const { image } = alert;
  if (image.kind === 'image' && image.platforms.length <= 1) {
    const platform = image.platforms[0]?.platform;
    return platform ? [`Platform:   ${clean(formatPlatform(platform), 60)}`] : [];
  }
  return [
    `Platforms:  ${image.platforms.length} (an image index)`,
    ...image.platforms.map((entry) => {
      const reason = entry.reason !== undefined ? `: ${clean(entry.reason, MAX_VALUE)}` : '';
      const platform = entry.platform ? clean(formatPlatform(entry.platform), 60) : 'unknown platform';
      return `  ${platform}  ${entry.digest}  ${entry.verdict}${reason}`;
    }),
  ];
}

/** What quarantine did, what still works, what it could not promise, and how to undo it. */
function quarantineLines(alert: ImageAlert, name: string): string[] {
  const detail = alert.quarantine;
  if (!detail) return [];
  const lines = ['', `Quarantine (${detail.method}, on ${detail.trigger}), id ${clean(detail.id, 80)}:`];
  const markerKept = detail.warnings.some((warning) => warning.code === 'MARKER_KEPT');
  switch (alert.eventType) {
    case 'QUARANTINED':
      if (detail.method === 'untag' || detail.tags.length > 0) {
        lines.push(`  Removed tags: ${tagsOrNone(detail.tags)}`);
        if (detail.marker !== undefined) lines.push(`  Marker tag:   ${clean(detail.marker, 40)} (keeps the image from being deleted with its last tag)`);
        lines.push(`  Still pullable by digest: ${name}@${alert.image.digest} keeps working, so running services and their scale-out are not broken; untag stops new deploys by the removed tags only.`);
      }
      if (detail.method === 'archive') {
        lines.push(`  Archived${detail.storage ? ` (${detail.storage})` : ''}: every pull fails, by tag and by digest; the image and its tags stay listed. Archived images carry a minimum storage charge.`);
      }
      break;
    case 'RELEASED':
      if (detail.tags.length > 0 || detail.marker !== undefined) {
        lines.push(`  Restored tags: ${tagsOrNone(detail.tags)}`);
        if (detail.marker !== undefined) lines.push(`  Marker tag:    ${clean(detail.marker, 40)} ${markerKept ? 'kept (see the warnings)' : 'removed'}`);
      }
      if (detail.storage !== undefined) {
        lines.push(
          detail.storage === 'ACTIVATING'
            ? '  Storage: ACTIVATING - the image is being restored from archive; pulls fail until the registry reports it ACTIVE (not instant).'
            : `  Storage: ${detail.storage}`,
        );
      }
      if (detail.release) lines.push(`  Released by ${clean(detail.release.by, MAX_VALUE)} (${detail.release.trigger}): ${clean(detail.release.reason, MAX_VALUE)}`);
      break;
    case 'QUARANTINE_SKIPPED':
      lines.push(`  Not quarantined: ${clean(detail.skippedReason ?? 'not allowed', MAX_VALUE)}. Nothing in the registry was changed.`);
      break;
    default:
      break;
  }
  if (detail.keptTags.length > 0) {
    lines.push('  Tags left alone:');
    for (const kept of detail.keptTags.slice(0, MAX_TAGS_LISTED)) lines.push(`    ${clean(kept.tag, 128)}: ${keptText(kept.why)}${kept.digest ? ` (now ${kept.digest})` : ''}`);
    if (detail.keptTags.length > MAX_TAGS_LISTED) lines.push(`    ... and ${detail.keptTags.length - MAX_TAGS_LISTED} more`);
  }
  if (detail.warnings.length > 0) {
    lines.push('  Warnings:');
    for (const warning of detail.warnings) lines.push(`    ${warning.code}: ${clean(warning.message, 400)}`);
  }
  if (alert.eventType === 'QUARANTINED') {
    lines.push(
      '  To release: resolve the failing findings (a rescan that passes releases the image) or ask for a release, with a reason, through the Customs API. Release puts back each removed tag unless somebody pushed it since (a newer push wins), then removes the marker; an archived image is restored to standard storage.',
    );
  }
  return lines;
}

function keptText(why: 'moved' | 'pushed-since' | 'immutable' | 'gone'): string {
  switch (why) {
    case 'moved':
      return 'names another image now (pushed again; the newer push wins)';
    case 'pushed-since':
      return 'pushed to another image since quarantine removed it (the newer push wins)';
    case 'immutable':
      return 'immutable, not removed';
    case 'gone':
      return 'no longer in the registry';
  }
}

function tagsOrNone(tags: readonly string[]): string {
  return tags.length === 0 ? 'none' : listTags(tags);
}

function countsText(counts: Readonly<Record<Severity, number>>): string {
  return SEVERITIES.map((severity) => `${counts[severity]} ${severity}`).join(', ');
}

function worstLines(findings: readonly VerdictFinding[]): string[] {
  if (findings.length === 0) return [];
  const lines = ['', 'Worst findings:'];
  for (const finding of findings) {
    const fixed =
      finding.fixedVersions.length === 0
        ? 'no fix yet'
        : `fixed in ${finding.fixedVersions.slice(0, MAX_FIXED_LISTED).map((version) => clean(version, 80)).join(', ')}${finding.fixedVersions.length > MAX_FIXED_LISTED ? ', ...' : ''}`;
    const pkg = `${clean(finding.package.name, 100)} ${clean(finding.package.version, 80)}`;
    lines.push(`  ${clean(finding.id, 80)}  ${finding.severity}  ${pkg} (${clean(finding.package.type, 20)}): ${fixed}`);
    if (finding.title !== undefined && clean(finding.title, MAX_TITLE) !== '') lines.push(`      ${clean(finding.title, MAX_TITLE)}`);
  }
  return lines;
}

function changeLines(alert: ImageAlert): string[] {
  const { newlyFailing, noLongerFailing } = alert.changes;
  if (newlyFailing.length === 0 && noLongerFailing.length === 0) return ['  No vulnerability started or stopped failing; the verdict itself changed.'];
  return [idLine('Newly failing', newlyFailing), idLine('No longer failing', noLongerFailing)].filter((line) => line !== undefined);
}

function idLine(label: string, ids: readonly string[]): string | undefined {
  if (ids.length === 0) return undefined;
  const capped = ids.length >= MAX_CHANGED_IDS ? ` (the first ${ids.length}, sorted)` : '';
  return `  ${label}${capped}: ${ids.map((id) => clean(id, 80)).join(', ')}`;
}

function footer(alert: Alert): string {
  return `alertId ${alert.alertId}. The same alert as JSON (${ALERT_SCHEMA}) goes to SQS, HTTPS and Lambda subscribers; de-duplicate on alertId.`;
}

function listTags(tags: readonly string[]): string {
  if (tags.length === 0) return '(untagged)';
  const listed = tags.slice(0, MAX_TAGS_LISTED).map((tag) => clean(tag, 128));
  return listed.join(', ') + (tags.length > MAX_TAGS_LISTED ? `, and ${tags.length - MAX_TAGS_LISTED} more` : '');
}

function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  return digest.slice(0, colon + 13);
}

/**
 * A value from an advisory, a registry or a scan error, made safe to print in one line of a mail:
 * control characters and line separators become spaces, format characters (bidirectional
 * overrides, zero-width ones) go, runs of spaces shrink, and it is cut at `max` characters.
 */
export function clean(value: string, max: number): string {
  const text = value
    .replace(/[\p{Cc}\u2028\u2029]/gu, ' ')
    .replace(/\p{Cf}/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 3)).join('')}...`;
}

/** An SNS subject: printable ASCII only (anything else becomes `?`), one line, under 100 characters. */
export function subjectOf(text: string): string {
  const ascii = clean(text, Number.MAX_SAFE_INTEGER).replace(/[^\x20-\x7e]/gu, '?');
  return ascii.length <= MAX_SUBJECT_LENGTH ? ascii : `${ascii.slice(0, MAX_SUBJECT_LENGTH - 3)}...`;
}
