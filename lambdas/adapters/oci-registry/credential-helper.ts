import { spawn } from 'node:child_process';
import { z } from 'zod';
import { CustomsError, messageOf } from '../../core/errors.ts';

/**
 * Runs a Docker credential helper (`docker-credential-<name> get`, server URL on stdin) and returns
 * what it stored, or undefined when it has nothing for that server.
 */
export interface HelperCredential {
  readonly username: string;
  readonly secret: string;
}

const helperOutputSchema = z.object({ Username: z.string(), Secret: z.string() });

// Helpers print a short JSON object; anything far larger is not a helper answering.
const MAX_OUTPUT_BYTES = 64 * 1024;

export async function runCredentialHelper(
  name: string,
  serverUrl: string,
  options: { env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<HelperCredential | undefined> {
  const program = `docker-credential-${name}`;
  const { code, stdout, stderr } = await run(program, serverUrl, options);
  if (code !== 0) {
    // The protocol's way of saying "nothing stored" is this message on stdout with a failing exit.
    if (/credentials not found/i.test(stdout + stderr)) return undefined;
    const detail = (stderr.trim() || stdout.trim()).split('\n')[0]?.slice(0, 200) ?? '';
    throw new CustomsError('auth', `credential helper ${program} failed for ${serverUrl} (exit ${code})${detail ? `: ${detail}` : ''}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new CustomsError('auth', `credential helper ${program} printed something other than JSON for ${serverUrl}`);
  }
  const parsed = helperOutputSchema.safeParse(json);
  if (!parsed.success) throw new CustomsError('auth', `credential helper ${program} answered for ${serverUrl} without Username and Secret`);
  return { username: parsed.data.Username, secret: parsed.data.Secret };
}

function run(
  program: string,
  input: string,
  options: { env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(program, ['get'], { env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    // Give up at once: a helper's own children may hold the pipes open long after it is killed.
    const abandon = (error: CustomsError): void =>
      finish(() => {
        child.kill('SIGKILL');
        child.stdout.destroy();
        child.stderr.destroy();
        reject(error);
      });
    const timer = setTimeout(() => abandon(new CustomsError('auth', `credential helper ${program} did not answer within ${options.timeoutMs / 1000} s`)), options.timeoutMs);
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) abandon(new CustomsError('auth', `credential helper ${program} printed more than ${MAX_OUTPUT_BYTES} bytes`));
      else into.push(chunk);
    };
    child.stdout.on('data', collect(stdout));
    child.stderr.on('data', collect(stderr));
    child.stdin.on('error', () => {
      // A helper that exits without reading stdin is reported by its exit status instead.
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'ENOENT' ? 'is not installed (not found on PATH)' : `could not be run: ${messageOf(error)}`;
      finish(() => reject(new CustomsError('auth', `credential helper ${program} ${reason}`, { cause: error })));
    });
    child.on('close', (code, signal) => {
      finish(() =>
        resolveRun({
          code: code ?? (signal ? 128 : 1),
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
        }),
      );
    });
    child.stdin.end(input);
  });
}
