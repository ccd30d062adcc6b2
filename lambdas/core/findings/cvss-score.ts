// The package is a UMD bundle: Node's ESM loader sees no named exports in it, only `module.exports`
// as the default. Under NodeNext, TypeScript types that default as the whole declared module, and
// esbuild wraps it the same way, so one default import works for tsc, Node and the Lambda bundle.
import cvss from 'ae-cvss-calculator';
import type { Severity } from './model.ts';

export type CvssType = 'CVSS_V3' | 'CVSS_V4';

export interface CvssScore {
  readonly score: number;
  readonly severity: Severity;
}

/** Vector prefixes each OSV severity type may carry; the calculator itself does not check them. */
const PREFIXES: Record<CvssType, readonly string[]> = {
  CVSS_V3: ['CVSS:3.0/', 'CVSS:3.1/'],
  CVSS_V4: ['CVSS:4.0/'],
};

/**
 * The base score of an OSV `severity[]` vector and its qualitative rating, or undefined when the
 * vector is malformed. Never throws: a bad vector in one record must not stop a scan.
 */
export function scoreCvss(type: CvssType, vector: string): CvssScore | undefined {
  const prefix = PREFIXES[type].find((candidate) => vector.startsWith(candidate));
  if (!prefix || !wellFormedMetrics(vector.slice(prefix.length))) return undefined;
  try {
    const score = type === 'CVSS_V4' ? scoreV4(vector) : scoreV3(prefix, vector);
    return score === undefined ? undefined : { score, severity: severityOfScore(score) };
  } catch {
    // The calculator throws on unknown metrics or values.
    return undefined;
  }
}

/**
 * The CVSS v3.x / v4.0 qualitative severity scale. A score of 0.0 is "None" there; Customs has no
 * such level, and a vendor that published a vector did consider it a vulnerability, so it is LOW.
 */
export function severityOfScore(score: number): Severity {
  if (score >= 9) return 'CRITICAL';
  if (score >= 7) return 'HIGH';
  if (score >= 4) return 'MEDIUM';
  return 'LOW';
}

// The calculator silently ignores duplicate metrics (last wins) and empty parts; the specification
// forbids both, so they mark a vector nobody should be trusting.
function wellFormedMetrics(metrics: string): boolean {
  const seen = new Set<string>();
  for (const part of metrics.split('/')) {
    const match = /^([A-Z]+):([A-Z]+)$/.exec(part);
    if (!match || seen.has(match[1]!)) return false;
    seen.add(match[1]!);
  }
  return true;
}

function scoreV3(prefix: string, vector: string): number | undefined {
  const parsed = prefix === 'CVSS:3.0/' ? new cvss.Cvss3P0(vector) : new cvss.Cvss3P1(vector);
  // A vector missing base metrics scores 0 rather than failing; it is not a rating.
  if (!parsed.isBaseFullyDefined()) return undefined;
  return parsed.calculateScores().base;
}

function scoreV4(vector: string): number | undefined {
  const parsed = new cvss.Cvss4P0(vector);
  if (!parsed.isBaseFullyDefined()) return undefined;
  // The base metrics alone (CVSS-B), as v3 reports its base score: threat metrics would otherwise
  // lower one source's score and not another's.
  return parsed.calculateScores().baseMetricsOnly;
}
