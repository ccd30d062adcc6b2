import type { AlertSeverity, OutgoingAlert } from './alert-model.ts';

/**
 * Severity as a number for the `severityRank` message attribute, so a subscription asks for
 * "HIGH and above" with one numeric filter (`>= 4`). UNKNOWN ranks above NONE and below LOW, as
 * the gate treats it.
 */
const RANKS: Readonly<Record<AlertSeverity, number>> = { NONE: 0, UNKNOWN: 1, LOW: 2, MEDIUM: 3, HIGH: 4, CRITICAL: 5 };

export function severityRank(severity: AlertSeverity): number {
  return RANKS[severity];
}

/** The worse of two alert severities. */
export function worseSeverity(a: AlertSeverity, b: AlertSeverity): AlertSeverity {
  return severityRank(b) > severityRank(a) ? b : a;
}

/** The worst of many (NONE when there are none). */
export function worstSeverity(severities: Iterable<AlertSeverity>): AlertSeverity {
  let worst: AlertSeverity = 'NONE';
  for (const severity of severities) worst = worseSeverity(worst, severity);
  return worst;
}

/**
 * The message attributes subscription filter policies match on (documented in the README). Plain
 * values: the SNS adapter gives `severityRank` the Number data type and the rest String.
 */
export interface AlertAttributes {
  readonly eventType: string;
  readonly verdict: string;
  readonly severity: AlertSeverity;
  readonly severityRank: number;
  /** The repository's name only (account and Region are in the body), so `prefix` filters read naturally. */
  readonly repository: string;
  readonly mode: string;
  readonly alertId: string;
  readonly audience: string;
  readonly kind: 'image' | 'group';
}

export function messageAttributesOf(outgoing: OutgoingAlert): AlertAttributes {
  const { alert, audience } = outgoing;
  return {
    eventType: alert.eventType,
    verdict: alert.verdict.value,
    severity: alert.severity,
    severityRank: severityRank(alert.severity),
    repository: alert.repository.name,
    mode: alert.verdict.mode,
    alertId: alert.alertId,
    audience,
    kind: alert.kind,
  };
}
