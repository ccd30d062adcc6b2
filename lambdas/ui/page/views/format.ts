import { el } from '../dom.ts';
import { SEVERITIES, type Severity, type SeverityCounts } from '../api-types.ts';

export function shortDigest(digest: string): string {
  return digest.slice(0, 'sha256:'.length + 12);
}

export function when(iso: string | undefined): string {
  if (iso === undefined) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().replace('T', ' ').slice(0, 16);
}

export function severityBadge(severity: Severity | string): HTMLElement {
  const known = (SEVERITIES as readonly string[]).includes(severity) ? severity.toLowerCase() : 'unknown';
  return el('span', { class: `badge severity-${known}` }, severity);
}

export function verdictBadge(verdict: string | undefined): HTMLElement {
  const value = verdict ?? 'NOT JUDGED';
  return el('span', { class: `badge verdict-${value === 'PASS' ? 'pass' : value === 'FAIL' ? 'fail' : 'other'}` }, value);
}

/** Counts by severity as one cell each (zero shown dim), in severity order. */
export function severityCells(counts: SeverityCounts | undefined): HTMLTableCellElement[] {
  return SEVERITIES.slice(0, 4).map((severity) => {
    const count = counts?.[severity] ?? 0;
    return el('td', { class: `num${count === 0 ? ' zero' : ` severity-${severity.toLowerCase()}-text`}`, 'data-severity': severity }, count);
  });
}
