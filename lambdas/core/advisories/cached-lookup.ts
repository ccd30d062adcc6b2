import type { AdvisoryMatch } from './advisory-store.ts';
import type { AdvisoryLookup, AdvisoryQuery } from '../ports.ts';

/**
 * Why the table and not the records the sync handed on: a finding groups every record about one
 * vulnerability in one package (aliases, a DSA and its CVEs, release and base ecosystem entries),
 * and its severity and fixed versions come from all of them. A changed record can join or leave a
 * group of unchanged ones the sync did not hand on, so only a lookup of the package's current
 * records gives what a fresh scan gives. The lookup reads only the changed keys' partitions, once
 * per key per invocation however many digests of the message share it.
 */
export class CachedLookup implements AdvisoryLookup {
  private readonly answers = new Map<string, Promise<readonly AdvisoryMatch[]>>();

  constructor(private readonly inner: AdvisoryLookup) {}

  async lookup(queries: readonly AdvisoryQuery[]): Promise<readonly (readonly AdvisoryMatch[])[]> {
    const id = (query: AdvisoryQuery): string => `${query.ecosystem}\0${query.name}`;
    const missing = [...new Map(queries.filter((query) => !this.answers.has(id(query))).map((query) => [id(query), query])).values()];
    if (missing.length > 0) {
      const read = this.inner.lookup(missing);
      missing.forEach((query, index) => this.answers.set(id(query), read.then((answers) => answers[index] ?? [])));
      // A failed read is not cached: the next digest (or the queue's retry) asks again.
      read.catch(() => missing.forEach((query) => this.answers.delete(id(query))));
    }
    return Promise.all(queries.map((query) => this.answers.get(id(query))!));
  }
}
