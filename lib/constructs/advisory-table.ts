import type { Construct } from 'constructs';
import { ADVISORY_TABLE } from '../../lambdas/adapters/dynamodb/table-schema.ts';
import { SchemaTable, type SchemaTableProps } from './schema-table.ts';

/** OSV records by ecosystem and package, and each ecosystem's freshness; the scanner reads it per package. */
export class AdvisoryTable extends SchemaTable {
  constructor(scope: Construct, id: string, props: SchemaTableProps = {}) {
    super(scope, id, ADVISORY_TABLE, props);
  }
}
