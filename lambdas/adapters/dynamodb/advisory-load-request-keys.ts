/**
 * Keys of the load requests on the advisory table: one fixed partition, one item per ecosystem, so
 * the advisory sync lists every ecosystem asked for with one Query (never a Scan). The partition key
 * is also the scanner's IAM condition (`dynamodb:LeadingKeys`): its only write on the advisory table.
 */
export const LOAD_REQUEST_PK = 'LOAD_REQUEST';
export const LOAD_REQUEST_PREFIX = 'ECOSYSTEM#';

/** `#` and `%` escaped, as the advisory keys escape ecosystems, so no name can forge another's key. */
export function loadRequestSk(ecosystem: string): string {
  return `${LOAD_REQUEST_PREFIX}${ecosystem.replaceAll('%', '%25').replaceAll('#', '%23')}`;
}
