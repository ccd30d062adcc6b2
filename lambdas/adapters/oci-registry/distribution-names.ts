import { CustomsError } from '../../core/errors.ts';

/**
 * Repository and tag names as the OCI distribution spec defines them. Checked before a name goes
 * into a URL path or a filesystem path: neither regex admits `/`-free `..`, a leading `.` or `/`,
 * a backslash or NUL, so a valid name cannot climb out of the directory it is joined to.
 */
const REPOSITORY = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
// Distribution 2.8 refuses longer names (its own limit, the spec says clients should keep under it).
const MAX_REPOSITORY_LENGTH = 255;

export function validRepositoryName(name: string): string {
  if (name.length > MAX_REPOSITORY_LENGTH || !REPOSITORY.test(name)) {
    throw new CustomsError('unsafe', `repository name ${JSON.stringify(name.slice(0, 80))} is not a valid OCI repository name`);
  }
  return name;
}

export function validTagName(tag: string): string {
  if (!TAG.test(tag)) throw new CustomsError('unsafe', `tag ${JSON.stringify(tag.slice(0, 80))} is not a valid OCI tag`);
  return tag;
}
