import { randomUUID } from 'node:crypto';
import { lstat, readFile, rename, rm } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { isDigest, type Digest } from '../../core/digest.ts';
import { CustomsError } from '../../core/errors.ts';
import type { DeleteTagOutcome } from '../../core/ports.ts';
import { validRepositoryName, validTagName } from './distribution-names.ts';

/**
 * Removes one tag of a Distribution 2.8 registry with filesystem storage, in its storage directory.
 * Its API has no tag deletion (DELETE /v2/<name>/manifests/<tag> answers 400 DIGEST_INVALID) and
 * deleting by digest removes the manifest with every tag on it, so the tag's link directory
 * (`_manifests/tags/<tag>`) goes instead; the manifest revision stays, so the digest stays pullable.
 * The registry reads tag links from disk on every request (its in-memory cache holds blob
 * descriptors only), so the tag is gone from the next tags/list and GET.
 *
 * A push of the same tag may run concurrently. The link is checked (another digest: left alone),
 * the directory renamed out of the tags directory in one step, and the link checked again in its
 * new place: a push that completed between the two checks is put back. What remains is a push whose
 * write of `current/link` is still in flight across the rename and the second read (microseconds);
 * that push's tag would be lost, its manifest would not.
 */
export async function removeTagLink(storageRoot: string, repository: string, tag: string, digest: Digest): Promise<DeleteTagOutcome> {
  const root = resolve(storageRoot);
  const manifests = inside(root, join(root, 'docker', 'registry', 'v2', 'repositories', validRepositoryName(repository), '_manifests'));
  const tagDir = inside(root, join(manifests, 'tags', validTagName(tag)));
  const before = await readTagLink(tagDir, root);
  if (!before) return { outcome: 'absent' };
  if (before !== digest) return { outcome: 'moved', digest: before };

  // Outside tags/ the registry neither lists nor serves it; inside _manifests, on the same filesystem.
  const removing = join(manifests, `customs-untag-${randomUUID()}`);
  try {
    await rename(tagDir, removing);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { outcome: 'absent' };
    throw storageError(`cannot remove tag ${tag} of ${repository}`, error);
  }
  const after = await readLinkText(removing);
  if (after === digest) {
    await rm(removing, { recursive: true, force: true });
    return { outcome: 'removed' };
  }
  // Pushed again between the checks (or being written now): put it back, unless an even newer push
  // made the tag anew, which wins.
  try {
    await rename(removing, tagDir);
  } catch (error) {
    const code = errorCode(error);
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw storageError(`cannot put back tag ${tag} of ${repository}`, error);
    await rm(removing, { recursive: true, force: true });
  }
  return after !== undefined && isDigest(after) ? { outcome: 'moved', digest: after } : { outcome: 'moved' };
}

async function readLinkText(tagDir: string): Promise<string | undefined> {
  try {
    return (await readFile(join(tagDir, 'current', 'link'), 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/** The digest `current/link` names; undefined when the tag has no link (absent or mid-push). */
async function readTagLink(tagDir: string, root: string): Promise<Digest | undefined> {
  try {
    // The registry makes only directories and files here; a symlink would lead outside the root.
    if ((await lstat(tagDir)).isSymbolicLink()) throw new CustomsError('unsafe', `tag directory ${relative(root, tagDir)} is a symbolic link`);
    const text = (await readFile(join(tagDir, 'current', 'link'), 'utf8')).trim();
    if (!isDigest(text)) throw new CustomsError('malformed', `tag link ${relative(root, tagDir)} does not name a digest`);
    return text;
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return undefined;
    if (error instanceof CustomsError) throw error;
    throw storageError(`cannot read tag link ${relative(root, tagDir)}`, error);
  }
}

/** Belt and braces after name validation: the path stays under the storage root. */
function inside(root: string, path: string): string {
  const rel = relative(root, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new CustomsError('unsafe', `path ${path} is outside the registry storage root`);
  return path;
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
}

function storageError(what: string, error: unknown): CustomsError {
  return new CustomsError('network', `${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
