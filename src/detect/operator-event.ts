import type { OperatorEvent, OperatorProblem } from './events.js';

/** An operator problem reported and not cleared yet (its row in operator_problems). */
export interface OpenProblem {
  since: string;
  raised_at: string;
  summary: string;
}

type Fields = Omit<OperatorEvent, 'kind' | 'problem' | 'state'>;

export function raisedEvent(problem: OperatorProblem, f: Fields): OperatorEvent {
  return { kind: 'operator', problem, state: 'raised', ...f };
}

/** A clearing keeps the raised problem's `since`, so that the two read as one episode. */
export function clearedEvent(problem: OperatorProblem, open: OpenProblem, f: Omit<Fields, 'since'>): OperatorEvent {
  return { kind: 'operator', problem, state: 'cleared', ...f, since: open.since };
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** A span of time as a person says it: "47 minutes", "5 hours", "23 days". */
export function span(ms: number): string {
  const n = (v: number, unit: string) => `${v} ${unit}${v === 1 ? '' : 's'}`;
  if (ms < 2 * MIN) return n(Math.max(0, Math.round(ms / 1000)), 'second');
  if (ms < 2 * HOUR) return n(Math.max(0, Math.round(ms / MIN)), 'minute');
  if (ms < 2 * DAY) return n(Math.round(ms / HOUR), 'hour');
  return n(Math.round(ms / DAY), 'day');
}

export const daysBetween = (from: string | Date, to: string | Date): number => (new Date(to).getTime() - new Date(from).getTime()) / DAY;
