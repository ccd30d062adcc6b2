import { ecosystemKey, normalizePackageName, parseEcosystem } from '../../core/advisories/ecosystem.ts';
import type { Digest } from '../../core/digest.ts';
import type { ImageKey } from '../../core/pipeline/model.ts';

/**
 * Keys of the findings table (FINDINGS_TABLE: pk/sk and the overloaded gsi1..gsi3). Scan data is
 * keyed by digest alone (shared by every repository and account); image state by account, region,
 * repository and digest. `#` separates parts: no repository name, region, account, digest, OSV
 * ecosystem or vulnerability ID contains one, and package names only ever come last.
 * See README.md in this folder for the access pattern each key serves.
 */
export const scanPk = (digest: Digest): string => `SCAN#${digest}`;
export const claimSk = (scannerVersion: string): string => `CLAIM#${scannerVersion}`;
export const RESULT_SK = 'RESULT';
/** A save's packed findings: gzipped JSON in chunks, under the save's token (see packed-findings.ts). */
export const FINDINGS_PREFIX = 'FINDINGS#';
export const findingsTokenPrefix = (token: string): string => `${FINDINGS_PREFIX}${token}#`;
export const findingsChunkSk = (token: string, part: number): string => `${findingsTokenPrefix(token)}${String(part).padStart(3, '0')}`;
/**
 * Index partition of every digest containing a package, keyed as the advisory table keys packages
 * (ecosystem base plus release, the name as the ecosystem compares names), so an advisory's
 * `affected[].package` (`Red Hat:enterprise_linux:9::baseos`, PyPI's `Jinja2`) finds the images
 * whose lookups would have matched it.
 */
export const packageIndexPk = (ecosystem: string, name: string): string => {
  const parsed = parseEcosystem(ecosystem);
  return `PKG#${ecosystemKey(parsed)}#${normalizePackageName(parsed.base, name)}`;
};
/** Index partition of the digests whose committed scan waits for an OSV base ecosystem's advisories. */
export const waitingIndexPk = (ecosystem: string): string => `WAITING#${ecosystem}`;

const repoPart = (key: Omit<ImageKey, 'digest'>): string => `${key.account}#${key.region}#${key.repository}`;
export const imagePk = (key: Omit<ImageKey, 'digest'>): string => `IMAGE#${repoPart(key)}`;
export const imageSk = (digest: Digest): string => `DIGEST#${digest}`;
export const repoIndexPk = (key: Omit<ImageKey, 'digest'>): string => `REPO#${repoPart(key)}`;
export const digestIndexPk = (digest: Digest): string => `DIGEST#${digest}`;
export const tagSk = (tag: string): string => `TAG#${tag}`;
export const TAGLOG_PREFIX = 'TAGLOG#';
export const tagLogSk = (tag: string, at: Date, digest: Digest, action: string): string => `${TAGLOG_PREFIX}${tag}#${at.toISOString()}#${digest}#${action}`;
export const tagLogIndexPk = (key: Omit<ImageKey, 'digest'>): string => `TAGLOG#${repoPart(key)}`;
export const CATALOGUE_PK = 'CATALOGUE';
export const catalogueSk = (key: Omit<ImageKey, 'digest'>): string => `REPO#${repoPart(key)}`;
