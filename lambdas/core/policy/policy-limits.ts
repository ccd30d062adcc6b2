import { CustomsError } from '../errors.ts';
import { formatBytes } from '../limits.ts';

/** An ignore file is written by hand: a megabyte is thousands of entries. */
export const MAX_IGNORE_FILE_BYTES = 1024 * 1024;
/** VEX documents are generated and may cover many products; still bounded so one cannot exhaust memory. */
export const MAX_VEX_DOCUMENT_BYTES = 16 * 1024 * 1024;
/** Aliases expanded while reading YAML; a small budget defeats "billion laughs" documents. */
export const MAX_YAML_ALIASES = 64;

/** Refuses a policy document above `maxBytes` before any parser sees it. */
export function checkDocumentSize(text: string, maxBytes: number, what: string): void {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) throw new CustomsError('limit', `${what} is ${formatBytes(bytes)}, above the ${formatBytes(maxBytes)} limit`);
}
