import type { AdvisoryLookup, AdvisoryQuery } from '../ports.ts';
import type { AdvisoryMatch, AdvisoryStore } from './advisory-store.ts';

/** The advisory lookup port over an in-memory store, as the CLI matches with it. */
export class StoreLookup implements AdvisoryLookup {
  constructor(private readonly store: AdvisoryStore) {}

  lookup(queries: readonly AdvisoryQuery[]): Promise<readonly (readonly AdvisoryMatch[])[]> {
    return Promise.resolve(queries.map((query) => this.store.lookup(query.ecosystem, query.name)));
  }
}
