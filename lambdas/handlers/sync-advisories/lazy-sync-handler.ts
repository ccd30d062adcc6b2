import { lazyHandler } from '../shared/lazy-handler.ts';
import { createSyncHandler, type SyncHandler } from './sync-handler.ts';
import { createSyncDeps, type SyncWiring } from './sync-deps.ts';
import { readSyncEnvironment, type SyncEnvironment } from './sync-environment.ts';

/** What a Lambda entry supplies once its environment is read: the clients (tests: local endpoints, options). */
export type SyncClientWiring = (env: SyncEnvironment) => Omit<SyncWiring, 'env' | 'logger' | 'metrics'>;

export const SYNC_SERVICE = 'customs-advisory-sync';
export const SYNC_NAMESPACE = 'Customs';

/**
 * The sync's Lambda entry point: logger and metrics at module scope, the environment read and the
 * clients and stores built on the first invocation and kept while warm.
 */
export function lazySyncHandler(wire: SyncClientWiring): SyncHandler {
  return lazyHandler({ serviceName: SYNC_SERVICE, namespace: SYNC_NAMESPACE }, (tools) => {
    const env = readSyncEnvironment(process.env);
    return createSyncHandler(createSyncDeps({ ...wire(env), env, ...tools }));
  });
}
