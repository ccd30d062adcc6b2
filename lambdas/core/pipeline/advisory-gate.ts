import type { AdvisoryFreshness } from '../ports.ts';
import type { EcosystemFreshness } from './model.ts';

export interface GateOutcome {
  readonly freshness: readonly EcosystemFreshness[];
  /** Ecosystems never loaded or loaded longer ago than the maximum age. */
  readonly unavailable: readonly string[];
}

/**
 * Never fail open: an ecosystem the image needs whose advisories were never loaded, or are older
 * than `maxAgeMs`, makes the scan ADVISORIES_UNAVAILABLE rather than clean.
 */
export async function checkAdvisories(ecosystems: readonly string[], store: AdvisoryFreshness, now: Date, maxAgeMs: number): Promise<GateOutcome> {
  if (ecosystems.length === 0) return { freshness: [], unavailable: [] };
  const answers = await store.freshness(ecosystems);
  const byName = new Map(answers.map((answer) => [answer.ecosystem, answer]));
  const freshness = ecosystems.map((ecosystem) => byName.get(ecosystem) ?? { ecosystem });
  const unavailable = freshness.filter(({ loadedAt }) => loadedAt === undefined || now.getTime() - loadedAt.getTime() > maxAgeMs).map(({ ecosystem }) => ecosystem);
  return { freshness, unavailable };
}

export function unavailableReason(unavailable: readonly string[], freshness: readonly EcosystemFreshness[]): string {
  const parts = unavailable.map((ecosystem) => {
    const loadedAt = freshness.find((entry) => entry.ecosystem === ecosystem)?.loadedAt;
    return loadedAt ? `${ecosystem} (last loaded ${loadedAt.toISOString()})` : `${ecosystem} (never loaded)`;
  });
  return `advisories unavailable for ${parts.join(', ')}: the image is not judged clean until they are loaded`;
}
