import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';

/** Where a running stack says it listens, for `customs api` to find without flags. */
export interface StackFile {
  readonly api: string;
  readonly registry: string;
  readonly pid: number;
}

const STACK_FILE = 'stack.json';
const stackFileSchema = z.object({ api: z.string().url(), registry: z.string().min(1), pid: z.number().int().positive() });

/** The data directory `npm start` and `customs api` use: CUSTOMS_DATA_DIR, else `.customs` in the working directory. */
export function defaultDataDir(env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  const configured = env.CUSTOMS_DATA_DIR;
  return configured !== undefined && configured !== '' ? resolve(cwd, configured) : join(cwd, '.customs');
}

/** Written once the stack is ready (atomically: a reader never sees half of it). */
export async function writeStackFile(dataDir: string, stack: StackFile): Promise<void> {
  const path = join(dataDir, STACK_FILE);
  const partial = `${path}.${process.pid}.tmp`;
  await writeFile(partial, `${JSON.stringify(stack)}\n`, { mode: 0o600 });
  await rename(partial, path);
}

/** The running stack's addresses, or undefined when none is recorded or the record is unreadable. */
export async function readStackFile(dataDir: string): Promise<StackFile | undefined> {
  let text: string;
  try {
    text = await readFile(join(dataDir, STACK_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = stackFileSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function removeStackFile(dataDir: string): Promise<void> {
  await rm(join(dataDir, STACK_FILE), { force: true });
}
