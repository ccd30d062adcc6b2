/**
 * Composer's VersionParser::normalize (composer/semver 3.x), rewritten from its documented
 * behaviour: `v1.0` → `1.0.0.0`, `1.0.0-beta2` → `1.0.0.0-beta2`, `1.x-dev` →
 * `1.9999999.9999999.9999999-dev`, `dev-main`/`master` → `dev-…`, `2023-01-31` dates, build
 * metadata and `as` aliases and `@stability` flags dropped. Undefined when Composer would throw.
 */

// PCRE without /u: `\s` is ASCII whitespace, `$` also matches before a final newline.
const SPACE = ' \\t\\n\\v\\f\\r';
const END = '(?=\\n?$)';
const MODIFIER = '[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\\d+)*)?)?([.-]?dev)?';
const ALIAS = new RegExp(`^([^,${SPACE}]+) +as +([^,${SPACE}]+)${END}`);
const STABILITY_FLAG = new RegExp(`@(?:stable|RC|beta|alpha|dev)${END}`, 'i');
const BUILD_METADATA = new RegExp(`^([^,${SPACE}+]+)\\+[^${SPACE}]+${END}`);
const CLASSICAL = new RegExp(`^v?(\\d{1,5})(\\.\\d+)?(\\.\\d+)?(\\.\\d+)?${MODIFIER}${END}`, 'i');
const DATE = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3}){0,2})${MODIFIER}${END}`, 'i');
const DEV_SUFFIX = new RegExp(`^(.*?)[.-]?dev${END}`, 'i');
const NUMERIC_BRANCH = new RegExp(`^v?(\\d+)(\\.(?:\\d+|[xX*]))?(\\.(?:\\d+|[xX*]))?(\\.(?:\\d+|[xX*]))?${END}`, 'i');

/** PHP's trim(): space, tab, newline, carriage return, NUL, vertical tab. */
function phpTrim(s: string): string {
  return s.replace(/^[ \t\n\r\0\v]+|[ \t\n\r\0\v]+$/g, '');
}

export function normalizeComposer(input: string): string | undefined {
  let version = phpTrim(input);
  const alias = ALIAS.exec(version);
  if (alias) version = alias[1]!;
  const flag = STABILITY_FLAG.exec(version);
  if (flag) version = version.slice(0, version.length - flag[0].length);
  if (version === 'master' || version === 'trunk' || version === 'default') version = `dev-${version}`;
  if (version.slice(0, 4).toLowerCase() === 'dev-') return `dev-${version.slice(4)}`;
  const build = BUILD_METADATA.exec(version);
  if (build) version = build[1]!;

  const classical = CLASSICAL.exec(version);
  if (classical) {
    const [, major, minor, patch, extra] = classical;
    return withModifier(`${major}${minor || '.0'}${patch || '.0'}${extra || '.0'}`, classical.slice(5));
  }
  const date = DATE.exec(version);
  if (date) return withModifier(date[1]!.replace(/\D/g, '.'), date.slice(2));

  const dev = DEV_SUFFIX.exec(version);
  if (dev) {
    const branch = normalizeBranch(dev[1]!);
    if (!branch.includes('dev-')) return branch; // only numeric branches may end in -dev
  }
  return undefined;
}

/** Appends the stability suffix: `-beta2`, `-RC1`, `-patch1`, then `-dev` for snapshots of it. */
function withModifier(version: string, [stability, number, dev]: (string | undefined)[]): string {
  let out = version;
  if (stability) {
    if (stability === 'stable') return out; // case-sensitive in Composer too
    out += `-${expandStability(stability)}${number ? number.replace(/^[.-]+/, '') : ''}`;
  }
  if (dev) out += '-dev';
  return out;
}

function expandStability(stability: string): string {
  const s = stability.toLowerCase();
  if (s === 'a') return 'alpha';
  if (s === 'b') return 'beta';
  if (s === 'p' || s === 'pl') return 'patch';
  if (s === 'rc') return 'RC';
  return s;
}

function normalizeBranch(name: string): string {
  const trimmed = phpTrim(name);
  const m = NUMERIC_BRANCH.exec(trimmed);
  if (!m) return `dev-${trimmed}`;
  const parts = [m[1], m[2] ?? '.x', m[3] ?? '.x', m[4] ?? '.x'].map((p) => p!.replace(/[*X]/g, 'x'));
  return `${parts.join('').replaceAll('x', '9999999')}-dev`;
}
