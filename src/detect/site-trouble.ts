import type { Verdict } from './classify.js';

export interface SiteTrouble {
  kind: 'unreachable' | 'challenge_failed';
  reason: string;
  detail: string;
}

/** Checks needed before "most of the site fails alike" is judged. */
const MIN_CHECKS = 4;
const SHARE = 0.5;

/**
 * Site-wide trouble is one event, not hundreds: when the controls fail (the home page does not
 * answer normally, or no posting does), or when most checked pages fail the same way at once
 * (the whole site down, every URL answering one soft-404 or maintenance page, a geo-block), the
 * site is reported and none of its pages counts towards a deletion. A real mass removal shows
 * here too, as one event; `xjwatch check` confirms pages one by one.
 */
export function siteTrouble(verdicts: Verdict[], controls: { healthy: boolean; homeVerdict: Verdict; siblingOk: boolean }): SiteTrouble | undefined {
  if (!controls.healthy) {
    const h = controls.homeVerdict;
    if (h.kind === 'blocked') return { kind: 'challenge_failed', reason: h.reason, detail: `the home page is blocked: ${h.detail}` };
    if (h.kind !== 'live') return { kind: 'unreachable', reason: 'reason' in h ? h.reason : h.kind, detail: `the home page does not answer normally: ${'detail' in h ? h.detail : h.kind}` };
    return { kind: 'unreachable', reason: 'no_live_page', detail: 'the home page answers, but no posting of the site answered normally' };
  }
  const failing = verdicts.filter((v) => v.kind === 'gone' || v.kind === 'unreachable' || v.kind === 'blocked');
  if (verdicts.length < MIN_CHECKS) return undefined;
  const bySignature = new Map<string, number>();
  for (const v of failing) {
    const sig = `${v.kind}:${'reason' in v ? v.reason : ''}`;
    bySignature.set(sig, (bySignature.get(sig) ?? 0) + 1);
  }
  const [sig, n] = [...bySignature].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
  if (n / verdicts.length < SHARE) return undefined;
  const [kind, reason] = sig.split(':') as [string, string];
  return {
    kind: kind === 'blocked' ? 'challenge_failed' : 'unreachable',
    reason: `site_wide_${reason}`,
    detail: `${n} of ${verdicts.length} checked pages answer alike (${reason}) at once; held, none counted as deleted`,
  };
}
