import type { DeletionReason, Verdict } from './classify.js';

/** What detection remembers about a page between runs. */
export interface PageWatch {
  /** the last happening reported (suspected_deletion, deleted, unreachable, challenge_failed), or null */
  reported: string | null;
  /** the failure repeated by the current run of consecutive checks, and how often */
  failReason: string | null;
  failCount: number;
  failSince: string | null;
}

export type Happening =
  | { kind: 'suspected_deletion'; reason: DeletionReason; detail: string }
  | { kind: 'deleted'; reason: DeletionReason; detail: string; checks: number; since: string }
  | { kind: 'restored'; was: string }
  | { kind: 'unreachable'; reason: string; detail: string }
  | { kind: 'challenge_failed'; reason: string; detail: string };

export interface Step {
  watch: PageWatch;
  happenings: Happening[];
  /** whether this check counted towards confirming a deletion */
  counted: boolean;
}

/**
 * One check's effect on a page: the rules that keep deletions trustworthy.
 * - A page is "deleted" only after `confirmAfter` consecutive checks that failed the same way,
 *   each with healthy controls (the home page and a live sibling answered normally). Before that
 *   it is "suspected", once.
 * - Network trouble, server errors and blocks are never deletions, and they break a run of
 *   failures: confirmation starts again.
 * - A check made while the site as a whole is in trouble (controls failed, or most pages failing
 *   alike) neither counts nor reports per page: the site gets one event instead (see site-trouble).
 * - Each happening is reported once: a deleted page stays deleted without new events until it
 *   answers normally again ("restored").
 */
export function step(w: PageWatch, v: Verdict, ctx: { controlsHealthy: boolean; siteTrouble: boolean; confirmAfter: number; at: string }): Step {
  const next: PageWatch = { ...w };
  const happenings: Happening[] = [];
  switch (v.kind) {
    case 'live':
    case 'not_modified': {
      if (w.reported === 'suspected_deletion' || w.reported === 'deleted' || w.reported === 'unreachable' || w.reported === 'challenge_failed') {
        happenings.push({ kind: 'restored', was: w.reported });
      }
      return { watch: { reported: null, failReason: null, failCount: 0, failSince: null }, happenings, counted: false };
    }
    case 'gone': {
      if (!ctx.controlsHealthy || ctx.siteTrouble) return { watch: next, happenings, counted: false };
      if (w.failReason === v.reason) next.failCount = w.failCount + 1;
      else {
        next.failReason = v.reason;
        next.failCount = 1;
        next.failSince = ctx.at;
      }
      if (w.reported === 'deleted') return { watch: next, happenings, counted: true };
      if (next.failCount >= ctx.confirmAfter) {
        happenings.push({ kind: 'deleted', reason: v.reason, detail: v.detail, checks: next.failCount, since: next.failSince! });
        next.reported = 'deleted';
      } else if (w.reported !== 'suspected_deletion') {
        happenings.push({ kind: 'suspected_deletion', reason: v.reason, detail: v.detail });
        next.reported = 'suspected_deletion';
      }
      return { watch: next, happenings, counted: true };
    }
    case 'unreachable':
    case 'blocked': {
      const kind = v.kind === 'blocked' ? 'challenge_failed' : 'unreachable';
      // a failure of another kind breaks the run of same failures
      next.failReason = null;
      next.failCount = 0;
      next.failSince = null;
      if (ctx.siteTrouble || !ctx.controlsHealthy) return { watch: next, happenings, counted: false };
      if (w.reported !== kind && w.reported !== 'deleted') {
        happenings.push({ kind, reason: v.reason, detail: v.detail });
        next.reported = kind;
      }
      return { watch: next, happenings, counted: false };
    }
  }
}
