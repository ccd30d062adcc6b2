import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDbAdvisoryFreshness } from '../../adapters/dynamodb/advisory-freshness.ts';
import { DynamoDbAdvisoryLookup } from '../../adapters/dynamodb/advisory-lookup.ts';
import { S3AdvisoryChangeSets } from '../../adapters/s3/s3-advisory-change-sets.ts';
import type { Clock } from '../../core/ports.ts';
import { rescanImages, type RescanImagesDeps } from '../../core/use-cases/rescan-images.ts';
import { createJudgingClients, type JudgingClients } from '../shared/judging-clients.ts';
import { createJudgingDeps, MATCH_OS_OWNED } from '../shared/judging-deps.ts';
import type { RescanRecordDeps } from './process-rescan-record.ts';
import type { RescanEnvironment } from './rescan-environment.ts';

/** The rescan needs the judging clients alone. */
export const createRescanClients = createJudgingClients;

export interface RescanWiring {
  readonly env: RescanEnvironment;
  readonly clients: JudgingClients;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** For tests: the time verdicts and findings are dated with. */
  readonly clock?: Clock;
  /** Digests of one message re-matched at once (rescanImages' default when absent). */
  readonly concurrency?: number;
}

/**
 * rescanImages on the findings table, the advisory table, the SBOMs and change sets in the SBOM
 * bucket (the sync's `advisory-changes/` prefix), judged, enforced and released exactly as the
 * scanner does (shared/judging-deps.ts), with the scanner's matching and advisory gate settings.
 */
export function createRescanDeps(wiring: RescanWiring): RescanRecordDeps {
  const { env, clients } = wiring;
  const judging = createJudgingDeps({ env, clients, metrics: wiring.metrics, ...(wiring.clock ? { clock: wiring.clock } : {}) });
  const deps: RescanImagesDeps = {
    results: judging.results,
    sboms: judging.sboms,
    changeSets: new S3AdvisoryChangeSets({ client: clients.s3, bucket: env.sbomBucket }),
    advisories: new DynamoDbAdvisoryLookup(clients.dynamodb, env.advisoryTable),
    holders: judging.images,
    judge: judging.judge,
    // Quarantined only where the policy sets enforceOnRescan (enforceVerdicts reads the trigger).
    enforce: judging.enforce,
    release: { quarantines: judging.quarantines, release: judging.release },
    gate: { freshness: new DynamoDbAdvisoryFreshness(clients.dynamodb, env.advisoryTable), maxAdvisoryAgeMs: env.advisoryMaxAgeMs },
    clock: judging.clock,
    options: { matchOsOwned: MATCH_OS_OWNED, ...(wiring.concurrency !== undefined ? { concurrency: wiring.concurrency } : {}) },
  };
  return { rescan: (message) => rescanImages(message, deps), logger: wiring.logger, metrics: wiring.metrics };
}
