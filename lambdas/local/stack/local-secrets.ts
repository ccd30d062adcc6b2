import { randomBytes } from 'node:crypto';
import { chmod, link, open, readFile, rm, stat } from 'node:fs/promises';

/** 256 random bits as 64 hex digits: what ensureSecret writes and accepts. */
const SECRET = /^[0-9a-f]{64}$/;

/**
 * The secret kept in `path` (the API token, the registry webhook's token), created on first use
 * with mode 0600, so two stacks starting at once agree on one. A file others
 * could read is tightened to 0600; one that is empty or not a secret this wrote is an error naming
 * the file, not silently replaced (a client may hold its token).
 */
export async function ensureSecret(path: string): Promise<string> {
  const created = randomBytes(32).toString('hex');
  // Written whole under a private name, then linked into place: link() fails if the name exists, so
  // of two stacks starting at once one wins, and the other never reads a half-written file.
  const partial = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(partial, 'wx', 0o600);
  try {
    await handle.writeFile(`${created}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(partial, path);
    return created;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(partial, { force: true });
  }
  const stats = await stat(path);
  if (!stats.isFile()) throw new Error(`${path} is not a file; remove it and start again`);
  if ((stats.mode & 0o077) !== 0) await chmod(path, 0o600);
  const text = (await readFile(path, 'utf8')).trim();
  if (!SECRET.test(text)) throw new Error(`${path} does not hold a token (64 hex digits); delete it to have a new one made`);
  return text;
}
