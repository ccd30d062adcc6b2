import type { ImageKey, ImageState } from '../../pipeline/model.ts';
import type { AdvisoryLoadRequests, PolicySource, QuarantineStore, RepositoryCatalogue, SbomStore, ScanResultStore, SyncCursorStore, TagHistory, ImageStateStore, VerdictStore } from '../../ports.ts';
import type { VerdictListing } from '../../review-ports.ts';
import type { AffectedImages } from '../../use-cases/find-affected-images.ts';
import type { RouteImplementations } from '../api-context.ts';
import type { ActionLog, CountsHistory, ExceptionStore, ImageListing, LargeAnswers } from '../api-ports.ts';
import { getAdvisoryStatus } from './advisory-status-route.ts';
import { listFindings } from './findings-route.ts';
import { getImage, listImages } from './image-routes.ts';
import { listActions, listExceptions, listQuarantine } from './record-routes.ts';
import { getCoverage, getHistory, listRepositories } from './repository-routes.ts';
import { getSbom } from './sbom-route.ts';
import { getTag, getVerdict } from './tag-verdict-routes.ts';
import { listVulnerabilityImages } from './vulnerability-route.ts';

/** What the read routes read: the pipeline's stores and the API's own, nothing that writes. */
export interface ReadRouteDeps {
  readonly catalogue: RepositoryCatalogue;
  /** Image states and tag history. */
  readonly images: Pick<ImageStateStore, 'get'> & TagHistory;
  readonly listing: ImageListing;
  readonly verdicts: Pick<VerdictStore, 'get' | 'getMany'>;
  readonly verdictListing: VerdictListing;
  readonly quarantines: Pick<QuarantineStore, 'get' | 'list'>;
  readonly results: Pick<ScanResultStore, 'get' | 'findings' | 'digestsWaitingFor'>;
  readonly sboms: Pick<SbomStore, 'get'>;
  /** The policy verdicts are judged by (exception-aware where exceptions are on): findings' `suppressed` and coverage's `stale` come from it. */
  readonly policies: PolicySource;
  /** findAffectedImages bound to the advisory ID index and the scan results. */
  readonly affected: (vulnerability: string) => Promise<AffectedImages>;
  /** Every repository holding a digest (the image state store's imagesWithDigest). */
  readonly holders: { imagesWithDigest(digest: ImageKey['digest']): Promise<readonly ImageState[]> };
  readonly cursors: Pick<SyncCursorStore, 'list'>;
  /** Ecosystems scans asked the sync to load: listed (stale) before the sync has a cursor for them. */
  readonly loadRequests: Pick<AdvisoryLoadRequests, 'list'>;
  readonly actions: Pick<ActionLog, 'page'>;
  readonly history: Pick<CountsHistory, 'list'>;
  readonly exceptions: Pick<ExceptionStore, 'list'>;
  readonly largeAnswers: LargeAnswers;
  readonly options: ReadRouteOptions;
}

export interface ReadRouteOptions {
  /** An ecosystem whose last sync is older than this is stale. */
  readonly staleAfterHours: number;
  /** SBOMs larger than this (bytes of JSON) are answered as a presigned URL. Default 4 MB. */
  readonly inlineSbomBytes?: number;
  /** Days of history answered when the query names none. Default 30. */
  readonly historyDays?: number;
}

export type ReadRouteImplementations = Omit<RouteImplementations, 'rescanImage' | 'startBackfill' | 'releaseImage' | 'addException' | 'removeException'>;

/** The findings API's read routes. None scans a table: each reads a key, a partition or an index. */
export function readRoutes(deps: ReadRouteDeps): ReadRouteImplementations {
  return {
    listRepositories: (input, context) => listRepositories(input, context, deps),
    listImages: (input, context) => listImages(input, context, deps),
    getImage: (input, context) => getImage(input, context, deps),
    listFindings: (input, context) => listFindings(input, context, deps),
    getSbom: (input, context) => getSbom(input, context, deps),
    getTag: (input, context) => getTag(input, context, deps),
    getVerdict: (input, context) => getVerdict(input, context, deps),
    listVulnerabilityImages: (input, context) => listVulnerabilityImages(input, context, deps),
    getAdvisoryStatus: (input, context) => getAdvisoryStatus(input, context, deps),
    listQuarantine: (input, context) => listQuarantine(input, context, deps),
    getCoverage: (input, context) => getCoverage(input, context, deps),
    getHistory: (input, context) => getHistory(input, context, deps),
    listActions: (input, context) => listActions(input, context, deps),
    listExceptions: (input, context) => listExceptions(input, context, deps),
  };
}
