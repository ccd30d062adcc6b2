// Preload for bench processes: on exit, writes this process's peak RSS (KiB) to the file named by
// CUSTOMS_BENCH_RSS_FILE. Read from /proc/self/status (VmHWM), the high-water mark of this
// process's own memory: getrusage's maxRSS also counts what the process had before exec, which
// for a spawned child is the fork of its parent, so a child of a 600 MiB bench reports 600 MiB.
// Where /proc is missing (macOS), getrusage's figure is the fallback.
import { readFileSync, writeFileSync } from 'node:fs';
import process from 'node:process';

function peakRssKiB() {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // no procfs
  }
  return process.resourceUsage().maxRSS;
}

const target = process.env.CUSTOMS_BENCH_RSS_FILE;
if (target) process.on('exit', () => writeFileSync(target, String(peakRssKiB())));
