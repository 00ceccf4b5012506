import type { OperatorEvent } from './events.js';
import { clearedEvent, raisedEvent, type OpenProblem } from './operator-event.js';

export interface DiskSpace {
  freeBytes: number;
  totalBytes: number;
}

export interface DiskRule {
  diskFreeMB: number;
  diskFreePercent: number;
}

/** Cleared only with this much room above the thresholds, so that a disk hovering at one is not reported every few minutes. */
export const DISK_HYSTERESIS = 1.2;
const MIB = 1024 * 1024;

/**
 * Free space on the data directory's file system below `diskFreeMB` or `diskFreePercent`: a full
 * disk halts every run (nothing more can be kept), so the operator hears of it before.
 */
export function diskFilling(dir: string, d: DiskSpace, open: OpenProblem | undefined, rule: DiskRule, now: Date): OperatorEvent | undefined {
  const freeMB = d.freeBytes / MIB;
  const pct = d.totalBytes > 0 ? (100 * d.freeBytes) / d.totalBytes : 100;
  const at = now.toISOString();
  const said = `${size(d.freeBytes)} free of ${size(d.totalBytes)} (${pct.toFixed(1)}%)`;
  const measured = { free_mb: Math.round(freeMB), total_mb: Math.round(d.totalBytes / MIB), free_percent: Math.round(pct * 10) / 10, threshold_mb: rule.diskFreeMB, threshold_percent: rule.diskFreePercent };
  if (open) {
    const roomy = freeMB >= rule.diskFreeMB * DISK_HYSTERESIS && pct >= rule.diskFreePercent * DISK_HYSTERESIS;
    return roomy ? clearedEvent('disk_filling', open, { subject: dir, summary: `${dir}: ${said} again`, measured, at }) : undefined;
  }
  if (freeMB >= rule.diskFreeMB && pct >= rule.diskFreePercent) return undefined;
  return raisedEvent('disk_filling', { subject: dir, summary: `${dir}: ${said}, below the threshold of ${rule.diskFreeMB} MiB or ${rule.diskFreePercent}%`, since: at, measured, at });
}

function size(bytes: number): string {
  const mib = bytes / MIB;
  return mib < 10 * 1024 ? `${Math.round(mib)} MiB` : `${(mib / 1024).toFixed(1)} GiB`;
}
