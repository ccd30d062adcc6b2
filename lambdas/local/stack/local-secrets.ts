import { randomBytes } from 'node:crypto';
import { chmod, open, readFile, stat } from 'node:fs/promises';

/** 256 random bits as 64 hex digits: what ensureSecret writes and accepts. */
const SECRET = /^[0-9a-f]{64}$/;

/**
 * The secret kept in `path` (the API token, the registry webhook's token), created on first use
 * with mode 0600 and exclusive creation, so two stacks starting at once agree on one. A file others
 * could read is tightened to 0600; one that is empty or not a secret this wrote is an error naming
 * the file, not silently replaced (a client may hold its token).
 */
export async function ensureSecret(path: string): Promise<string> {
  const created = randomBytes(32).toString('hex');
  try {
    const handle = await open(path, 'wx', 0o600);
    try {
      await handle.writeFile(`${created}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return created;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stats = await stat(path);
  if (!stats.isFile()) throw new Error(`${path} is not a file; remove it and start again`);
  if ((stats.mode & 0o077) !== 0) await chmod(path, 0o600);
  const text = (await readFile(path, 'utf8')).trim();
  if (!SECRET.test(text)) throw new Error(`${path} does not hold a token (64 hex digits); delete it to have a new one made`);
  return text;
}
