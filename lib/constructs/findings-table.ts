import type { Construct } from 'constructs';
import { FINDINGS_TABLE } from '../../lambdas/adapters/dynamodb/table-schema.ts';
import { SchemaTable, type SchemaTableProps } from './schema-table.ts';

/** Images, tags, scans, SBOM references and raw findings, with their package and vulnerability indexes. */
export class FindingsTable extends SchemaTable {
  constructor(scope: Construct, id: string, props: SchemaTableProps = {}) {
    super(scope, id, FINDINGS_TABLE, props);
  }
}
