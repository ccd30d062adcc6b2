import { SEVERITIES } from '../../core/findings/model.ts';
import type { ImageKey } from '../../core/pipeline/model.ts';
import type { EnforcementOutcome } from '../../core/use-cases/enforce-verdicts.ts';
import type { ManifestOutcome } from '../../core/use-cases/scan-image.ts';
import type { WorkOutcome } from './local-work.ts';

/**
 * What the console shows of the pipeline's work, one line per fact (scan, verdict, quarantine,
 * rescan); alerts print their own lines. Names come from the registry and the queue: control
 * characters are shown escaped, so a hostile repository or tag name cannot drive the terminal.
 */
export function workLines(outcome: WorkOutcome): string[] {
  if (outcome.kind === 'rescan') {
    const { counts } = outcome.run;
    if (counts.touched === 0 && counts.quarantined === 0) return [];
    return [`rescan: ${counts.touched} image(s) changed (+${counts.added} -${counts.resolved} findings, ${counts.updated} updated), ${counts.quarantined} quarantined`];
  }
  const { event, outcome: result } = outcome;
  const name = `${safe(event.repository)}${event.tag ? `:${safe(event.tag)}` : ''}`;
  switch (result.action) {
    case 'skipped':
      return [];
    case 'tag-removed':
      return [`tag removed: ${safe(event.repository)}:${safe(result.tag)}`];
    case 'deleted':
      return [`image deleted: ${safe(event.repository)}@${short(result.key.digest)}`];
    case 'scanned': {
      const lines = result.result.manifests.flatMap((manifest) => scanLine(name, manifest));
      for (const image of result.evaluation?.images ?? []) {
        if (image.outcome === 'judged' && image.verdict !== image.previous) lines.push(`verdict: ${keyName(image.key)} ${image.verdict}${image.previous ? ` (was ${image.previous})` : ''}`);
      }
      for (const enforcement of result.enforcement ?? []) lines.push(...enforcementLine(enforcement));
      return lines;
    }
  }
}

function scanLine(name: string, manifest: ManifestOutcome): string[] {
  if (manifest.outcome !== 'scanned') return [];
  const counts = SEVERITIES.filter((severity) => (manifest.severityCounts[severity] ?? 0) > 0).map((severity) => `${manifest.severityCounts[severity]} ${severity}`);
  const findings = counts.length === 0 ? 'no findings' : counts.join(', ');
  return [`scanned: ${name} ${short(manifest.digest)} ${manifest.status}${manifest.reason ? ` (${safe(manifest.reason)})` : ''}: ${manifest.packageCount} packages, ${findings}`];
}

function enforcementLine(outcome: EnforcementOutcome): string[] {
  if (outcome.action !== 'quarantined') return [];
  const removed = outcome.removedTags.map(safe).join(', ') || 'no tags';
  return [`quarantined: ${keyName(outcome.key)} (untagged ${removed}; release with \`npx customs api release ${safe(outcome.key.repository)}@${outcome.key.digest} --reason …\`)`];
}

function keyName(key: ImageKey): string {
  return `${safe(key.repository)}@${short(key.digest)}`;
}

function short(digest: string): string {
  return digest.slice(0, 19);
}

function safe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
