/** The process surface the CLI writes to; tests pass their own. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  /** Input for commands that read lines (version compare). */
  readonly stdin?: NodeJS.ReadableStream;
  /** Where relative defaults (the local stack's data directory) resolve; the process's when absent. */
  readonly cwd?: string;
}

export const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, stdin: process.stdin };
