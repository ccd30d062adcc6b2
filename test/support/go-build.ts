import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { testCacheDir } from './paths.ts';

/**
 * Test files run in parallel processes and share these builds: a source file is written only when
 * it differs, and every file (sources and binaries) appears whole by rename, so one worker never
 * reads another's half-written file.
 */
function writeWhole(path: string, text: string): void {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return;
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, text);
  renameSync(partial, path);
}

function goBuild(binary: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): void {
  const partial = `${binary}.${process.pid}.partial`;
  execFileSync('go', ['build', ...args, '-o', partial, '.'], { cwd, env, stdio: 'pipe' });
  renameSync(partial, binary);
}

/** Offline, with the machine's toolchain, and every cache inside the test cache. */
function goEnv(root: string, extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  return { ...process.env, CGO_ENABLED: '0', GOPROXY: 'off', GOFLAGS: '-mod=mod', GOPATH: join(root, 'gopath'), GOCACHE: join(root, 'gocache'), GOTOOLCHAIN: 'local', ...extra };
}

/**
 * Builds a small Go program with Debian's Go toolchain: a main module that requires a second module
 * replaced by a local directory, offline (GOPROXY=off). Cached in the test cache.
 */
export function buildGoProgram(): string {
  const root = testCacheDir('go-program');
  const binary = join(root, 'bin', 'customs-hello');
  if (existsSync(binary)) return binary;
  writeWhole(join(root, 'greeting', 'go.mod'), 'module example.com/greeting\n\ngo 1.19\n');
  writeWhole(join(root, 'greeting', 'greeting.go'), 'package greeting\n\nfunc Hello() string { return "hello from customs" }\n');
  writeWhole(
    join(root, 'hello', 'go.mod'),
    'module example.com/customs-hello\n\ngo 1.19\n\nrequire example.com/greeting v1.4.0\n\nreplace example.com/greeting => ../greeting\n',
  );
  writeWhole(join(root, 'hello', 'main.go'), 'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/greeting"\n)\n\nfunc main() { fmt.Println(greeting.Hello()) }\n');
  mkdirSync(dirname(binary), { recursive: true });
  goBuild(binary, ['-trimpath', '-buildvcs=false'], join(root, 'hello'), goEnv(root));
  return binary;
}

export interface GoRelease {
  /** `go build` flags, e.g. `-trimpath`, `-ldflags=-X main.version=v1.2.3`. */
  readonly flags: readonly string[];
  /** Extra environment, e.g. GOEXPERIMENT. */
  readonly env?: Readonly<Record<string, string>>;
}

const RELEASE_MODULE = 'example.com/customs-release';

/**
 * A program whose version is set at link time, as release builds do: it prints `main.version`, or
 * else its module's `internal/version.Version`. Built offline with only the standard library, cached
 * by its flags.
 */
export function buildGoRelease(release: GoRelease): string {
  const key = createHash('sha256').update(JSON.stringify(release)).digest('hex').slice(0, 16);
  const root = testCacheDir('go-release');
  const binary = join(root, 'bin', key, 'customs-release');
  if (existsSync(binary)) return binary;
  const source = join(root, 'src');
  const files: Record<string, string> = {
    'go.mod': `module ${RELEASE_MODULE}\n\ngo 1.19\n`,
    'internal/version/version.go': 'package version\n\n// Version is set with -ldflags -X.\nvar Version string\n',
    'main.go': `package main\n\nimport (\n\t"fmt"\n\n\tbuildversion "${RELEASE_MODULE}/internal/version"\n)\n\nvar version string\n\nfunc main() {\n\tif version == "" {\n\t\tversion = buildversion.Version\n\t}\n\tfmt.Println(version)\n}\n`,
  };
  for (const [path, text] of Object.entries(files)) writeWhole(join(source, path), text);
  mkdirSync(dirname(binary), { recursive: true });
  goBuild(binary, ['-buildvcs=false', ...release.flags], source, goEnv(root, release.env));
  return binary;
}

/** `go version -m` of a binary, from the toolchain itself. */
export function goVersionM(binary: string): string {
  return execFileSync('go', ['version', '-m', binary], { encoding: 'utf8', env: goEnv(testCacheDir('go-release')) });
}
