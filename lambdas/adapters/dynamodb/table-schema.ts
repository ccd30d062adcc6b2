/**
 * The key schema of Customs' DynamoDB tables: one source for the CDK constructs that create them,
 * the adapters that read and write them, and the tests and local stack that create them in
 * DynamoDB Local. Every key attribute is a string; items overload them (single-table design), and
 * the README's key design table says which access pattern each key and index serves.
 */
export interface KeyIndex {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

export interface TableSchema {
  readonly partitionKey: string;
  readonly sortKey: string;
  /** Global secondary indexes, all projecting every attribute. */
  readonly indexes: readonly KeyIndex[];
  /** Epoch-seconds attribute DynamoDB's TTL deletes by (expired claims, retained history). */
  readonly timeToLive: string;
}

const gsi = (n: number): KeyIndex => ({ name: `gsi${n}`, partitionKey: `gsi${n}pk`, sortKey: `gsi${n}sk` });

/** Images, tags, scans, SBOM references, raw findings and their package and vulnerability indexes. */
export const FINDINGS_TABLE: TableSchema = { partitionKey: 'pk', sortKey: 'sk', indexes: [gsi(1), gsi(2), gsi(3)], timeToLive: 'expiresAt' };

/** OSV records by ecosystem and package, and each ecosystem's freshness. */
export const ADVISORY_TABLE: TableSchema = { partitionKey: 'pk', sortKey: 'sk', indexes: [gsi(1)], timeToLive: 'expiresAt' };
