import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { repoRoot } from './paths.ts';

/**
 * `npm start -- ARGS` as a user runs it, in its own process group (as a terminal's job is), so
 * stop() sends SIGINT the way Ctrl-C does and the test can tell whether anything of it is left.
 */
export class LocalStackProcess {
  readonly lines: string[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;

  constructor(args: readonly string[]) {
    this.child = spawn('npm', ['start', '--', ...args], { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let partial = '';
    const collect = (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      this.lines.push(...parts);
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.exited = new Promise((resolveExit) => this.child.once('exit', (code) => resolveExit(code)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The first line starting with `prefix`, waiting for it (failing early when the stack exits). */
  async line(prefix: string, timeoutMs = 120_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.lines.find((line) => line.startsWith(prefix));
      if (found !== undefined) return found;
      if (this.child.exitCode !== null) throw new Error(`npm start exited with ${this.child.exitCode} before printing ${prefix}:\n${this.output()}`);
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    }
    throw new Error(`npm start printed no ${prefix} line within ${timeoutMs / 1000} s:\n${this.output()}`);
  }

  output(): string {
    return this.lines.join('\n');
  }

  /** Ctrl-C: SIGINT to the whole group; resolves with the exit code. */
  async stop(timeoutMs = 60_000): Promise<number | null> {
    if (this.child.exitCode === null) process.kill(-this.pid, 'SIGINT');
    const timer = setTimeout(() => this.kill(), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Whether any process of the group is still running. */
  groupAlive(): boolean {
    try {
      process.kill(-this.pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** Last resort, so a failed test leaves nothing running. */
  kill(): void {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Processes whose command line mentions `text` (a data directory), from /proc. */
export function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (command.includes(text)) found.push(`${entry} ${command}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}
