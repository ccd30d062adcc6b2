import { DynamoDbBackfillMarks } from '../../adapters/dynamodb/dynamodb-backfill-marks.ts';
import type { DynamoDbImageStateStore } from '../../adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbScanCompletions } from '../../adapters/dynamodb/dynamodb-scan-completions.ts';
import type { DynamoDbScanResultStore } from '../../adapters/dynamodb/dynamodb-scan-result-store.ts';
import type { DynamoDbTableOptions } from '../../adapters/dynamodb/dynamodb-claim-store.ts';
import type { Clock, RegistryCatalog, RegistryImageReader, ScanRequestQueue } from '../../core/ports.ts';
import { backfillImages, type BackfillReport } from '../../core/use-cases/backfill-images.ts';

export interface LocalReconcileParts {
  readonly table: DynamoDbTableOptions;
  readonly catalog: RegistryCatalog & RegistryImageReader;
  readonly images: DynamoDbImageStateStore;
  readonly results: DynamoDbScanResultStore;
  readonly queue: ScanRequestQueue;
  readonly clock: Clock;
  readonly scannerVersion: string;
}

/** One pass over the registry's catalogue and tags. */
export type LocalReconcile = () => Promise<BackfillReport>;

/**
 * Distribution keeps its outgoing notifications in memory, so a push made while the stack was down
 * (or one whose notification failed too often) reaches nobody. The daily pass's backfill use case
 * closes that gap on AWS; here it runs at start-up and on a timer: images without a scan by this
 * scanner version are queued, tags moved or removed meanwhile and deleted images are recorded.
 */
export function createLocalReconcile(parts: LocalReconcileParts): LocalReconcile {
  const deps = {
    catalog: parts.catalog,
    states: { imagesOf: (repository: Parameters<DynamoDbImageStateStore['imagesOfRepository']>[0]) => parts.images.imagesOfRepository(repository, Infinity) },
    images: parts.images,
    results: parts.results,
    completions: new DynamoDbScanCompletions(parts.table),
    registry: parts.catalog,
    marks: new DynamoDbBackfillMarks(parts.table),
    queue: parts.queue,
    clock: parts.clock,
    scannerVersion: parts.scannerVersion,
  };
  // A fresh run id each pass: an image a pass queued whose scan has not been committed since is
  // queued again by the next (the queue skips one still waiting).
  return () => backfillImages({ runId: `reconcile-${parts.clock.now().toISOString()}`, reconcile: true, skip: 'scanned-by-this-version' }, deps);
}
