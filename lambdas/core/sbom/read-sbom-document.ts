import { sha256Of } from '../digest.ts';
import { CustomsError } from '../errors.ts';
import { formatBytes } from '../limits.ts';
import { SBOM_SCHEMA } from '../report/sbom-json.ts';
import type { ScanResult } from './model.ts';
import { readCycloneDx } from './read-cyclonedx.ts';
import { readSpdx } from './read-spdx.ts';
import type { DocumentContext } from './sbom-document-context.ts';
import { readNativeSbom } from './sbom-document-native.ts';

/** Largest SBOM document read by default: far above real image SBOMs, far below memory trouble. */
export const DEFAULT_MAX_SBOM_BYTES = 256 * 1024 * 1024;

export interface ReadSbomDocumentOptions {
  readonly maxBytes?: number;
}

/**
 * Reads an SBOM someone else (or an earlier Customs run) wrote, so its packages can be matched
 * without the image: CycloneDX JSON, SPDX 2.x JSON, or Customs' own SBOM JSON, told apart by their
 * marker fields. The document is untrusted: its size is capped, its shape validated, and entries
 * that cannot be read are skipped with a warning on their image rather than failing the document.
 *
 * `source` names the document in messages (a file path); the returned ScanResult's reference is it.
 */
export function readSbomDocument(bytes: Uint8Array, source: string, options: ReadSbomDocumentOptions = {}): ScanResult {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_SBOM_BYTES;
  if (bytes.byteLength > maxBytes) {
    throw new CustomsError('limit', `SBOM ${source} is ${formatBytes(bytes.byteLength)}, more than the ${formatBytes(maxBytes)} Customs reads`);
  }
  const text = decode(bytes, source);
  const start = text.trimStart();
  if (start.startsWith('<')) throw new CustomsError('unsupported', `${source} looks like XML; Customs reads CycloneDX and SPDX as JSON only`);
  if (/^SPDXVersion:/i.test(start)) throw new CustomsError('unsupported', `${source} is SPDX tag-value; Customs reads SPDX as JSON only`);

  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new CustomsError('malformed', `${source} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!document || typeof document !== 'object' || Array.isArray(document)) {
    throw new CustomsError('malformed', `${source} is not an SBOM: the JSON is not an object`);
  }

  const context: DocumentContext = { source, fileName: fileNameOf(source), documentDigest: sha256Of(bytes) };
  const marker = document as Record<string, unknown>;
  if (marker.bomFormat === 'CycloneDX') return readCycloneDx(document, context);
  if (typeof marker.spdxVersion === 'string') return readSpdx(document, context);
  if (marker.schema === SBOM_SCHEMA) return readNativeSbom(document, context);
  throw new CustomsError('malformed', `${source} is neither CycloneDX (bomFormat), SPDX (spdxVersion) nor a Customs SBOM (schema ${JSON.stringify(SBOM_SCHEMA)})`);
}

function decode(bytes: Uint8Array, source: string): string {
  try {
    // A leading byte order mark, as some Windows tools write, is dropped by the decoder.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CustomsError('malformed', `${source} is not UTF-8 text`);
  }
}

function fileNameOf(source: string): string {
  const name = source.slice(Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\')) + 1);
  return name || source;
}
