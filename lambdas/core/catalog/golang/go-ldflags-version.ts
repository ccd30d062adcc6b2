/**
 * The -X assignments (symbol → value) of the `build -ldflags=…` setting Go 1.18+ records in the
 * module text (left out of -trimpath builds), parsed as cmd/go's quoted.Split splits flags.
 */
export function ldflagsAssignments(modinfo: string): Map<string, string> {
  const found = new Map<string, string>();
  const line = modinfo.split('\n').find((text) => text.startsWith('build\t-ldflags='));
  if (!line) return found;
  const flags = splitQuoted(unquoteSetting(line.slice('build\t-ldflags='.length)));
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i]!;
    const assignment = flag === '-X' || flag === '--X' ? flags[++i] : /^--?X=(.*)$/s.exec(flag)?.[1];
    const equals = assignment?.indexOf('=') ?? -1;
    if (assignment && equals > 0) found.set(assignment.slice(0, equals), assignment.slice(equals + 1));
  }
  return found;
}

/** cmd/go writes a setting's value with strconv.Quote when it holds spaces or quotes. */
function unquoteSetting(value: string): string {
  if (!value.startsWith('"')) return value;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'string' ? parsed : value;
  } catch {
    return value;
  }
}

/** Splits on spaces, keeping '…' and "…" groups together, as cmd/internal/quoted.Split does. */
function splitQuoted(text: string): string[] {
  const words: string[] = [];
  for (const match of text.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) words.push(match[1] ?? match[2] ?? match[3]!);
  return words;
}
