import { spawn } from 'node:child_process';

export interface Timed {
  readonly seconds: number;
  readonly stdout: string;
}

/**
 * Runs a command to completion and returns its wall time. The clock stops on 'close', when every
 * holder of the stdout pipe has exited, not just the direct child: that is how the baseline's
 * process substitutions (grandchildren writing to that pipe) are waited for.
 */
export function timeCommand(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) {
        const why = signal ? `signal ${signal}` : `exit code ${code}`;
        reject(new Error(`${command} ${args.join(' ')} failed with ${why}\n${Buffer.concat(stderr).toString().trim()}`));
        return;
      }
      resolve({ seconds, stdout: Buffer.concat(stdout).toString() });
    });
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
