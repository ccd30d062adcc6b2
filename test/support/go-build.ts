import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testCacheDir } from './paths.ts';

/**
 * Builds a small Go program with Debian's Go toolchain: a main module that requires a second module
 * replaced by a local directory, offline (GOPROXY=off). Cached in the test cache.
 */
export function buildGoProgram(): string {
  const root = testCacheDir('go-program');
  const binary = join(root, 'bin', 'customs-hello');
  if (existsSync(binary)) return binary;
  mkdirSync(join(root, 'greeting'), { recursive: true });
  mkdirSync(join(root, 'hello'), { recursive: true });
  writeFileSync(join(root, 'greeting', 'go.mod'), 'module example.com/greeting\n\ngo 1.19\n');
  writeFileSync(join(root, 'greeting', 'greeting.go'), 'package greeting\n\nfunc Hello() string { return "hello from customs" }\n');
  writeFileSync(
    join(root, 'hello', 'go.mod'),
    'module example.com/customs-hello\n\ngo 1.19\n\nrequire example.com/greeting v1.4.0\n\nreplace example.com/greeting => ../greeting\n',
  );
  writeFileSync(join(root, 'hello', 'main.go'), 'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/greeting"\n)\n\nfunc main() { fmt.Println(greeting.Hello()) }\n');
  const env = { ...process.env, CGO_ENABLED: '0', GOPROXY: 'off', GOFLAGS: '-mod=mod', GOPATH: join(root, 'gopath'), GOCACHE: join(root, 'gocache'), GOTOOLCHAIN: 'local' };
  execFileSync('go', ['build', '-trimpath', '-buildvcs=false', '-o', binary, '.'], { cwd: join(root, 'hello'), env, stdio: 'pipe' });
  return binary;
}

/** `go version -m` of a binary, from the toolchain itself. */
export function goVersionM(binary: string): string {
  return execFileSync('go', ['version', '-m', binary], { encoding: 'utf8' });
}
