import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Writes a bcrypt htpasswd file (apache2-utils' `htpasswd -Bbn`, the only hash docker-registry
 * accepts) and returns the registry's `auth:` section for it.
 */
export async function htpasswdAuthYaml(dir: string, users: Record<string, string>): Promise<string> {
  const lines: string[] = [];
  for (const [user, password] of Object.entries(users)) {
    const { stdout } = await run('htpasswd', ['-Bbn', user, password]);
    lines.push(stdout.trim());
  }
  const file = join(dir, 'htpasswd');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return ['  htpasswd:', '    realm: customs-test', `    path: ${file}`].join('\n');
}
