import type { CheckFull, PageEvidence } from './gather.js';

/** The verdicts a bundle can state (docs/ARCHITECTURE.md, evidence/; the contract in DESIGN.md). */
export type VerdictName = 'present-unchanged' | 'present-altered' | 'gone-hard' | 'gone-soft' | 'redirected-home' | 'blocked' | 'unreachable';

export interface BundleVerdict {
  name: VerdictName;
  /** one line: "deleted (http_404), confirmed on 2 checks with healthy controls" */
  headline: string;
  deleted: boolean;
  reason?: string;
  /** consecutive checks, newest back, that found it gone with healthy controls */
  confirmedOn: number;
  lastLiveAt?: string;
  lastCheckAt?: string;
  /** what a reader may conclude, and what not */
  canConclude: string[];
  cannotConclude: string[];
}

const GONE: Record<string, VerdictName> = { http_404: 'gone-hard', http_410: 'gone-hard', dns_gone: 'gone-hard', soft_404: 'gone-soft', redirect_home: 'redirected-home' };
const REASON_WORDS: Record<string, string> = {
  http_404: 'the server answers 404 Not Found',
  http_410: 'the server answers 410 Gone',
  dns_gone: 'its host name no longer resolves while the rest of the site does',
  soft_404: 'the server answers 200 with its own "page not found" page (页面不存在 or the like)',
  redirect_home: 'the server sends the reader to the home page',
};

const LIVE_OUTCOMES = new Set(['live', 'unchanged', 'trivial', 'changed', 'not_modified']);

export function verdictOf(ev: PageEvidence): BundleVerdict {
  const checks = ev.checks;
  const last: CheckFull | undefined = checks.at(-1);
  const lastCapture = ev.captures.at(-1);
  const liveChecks = checks.filter((c) => LIVE_OUTCOMES.has(c.outcome));
  // a third-party capture says the page was live when the archive saw it, not when xjwatch fetched the copy
  const seenAt = (c: (typeof ev.captures)[number] | undefined) => c?.third_party?.archived_at ?? c?.at;
  const lastLiveAt = [seenAt(lastCapture), liveChecks.at(-1)?.at].filter(Boolean).sort().at(-1);
  // the run of checks, newest back, that found it gone the same way with healthy controls (as
  // detect/lifecycle counts them: a change of reason starts again)
  let confirmedOn = 0;
  for (let i = checks.length - 1; i >= 0 && checks[i]!.outcome === 'gone' && checks[i]!.reason === last?.reason; i--) if (checks[i]!.counted) confirmedOn++;
  const firstCapture = ev.captures[0];
  const firstSeen = firstCapture?.third_party ? `${firstCapture.third_party.archived_at} (by the ${firstCapture.third_party.archive}; xjwatch fetched its copy on ${firstCapture.at})` : firstCapture?.at;
  const base = { confirmedOn, lastLiveAt, lastCheckAt: last?.at };
  const altered = ev.captures.length > 1;

  if (!last && ev.captures.every((c) => c.third_party)) {
    // only an archive's copy, and no check of xjwatch's own yet: nothing to say about the page now
    return {
      ...base,
      name: 'unreachable',
      deleted: false,
      headline: `not checked by xjwatch yet: only a third-party capture is kept, captured by the archive on ${firstSeen}`,
      canConclude: [`The page was served with the kept content when the ${firstCapture!.third_party!.archive} captured it on ${firstCapture!.third_party!.archived_at}; xjwatch fetched the archive's copy on ${firstCapture!.at}.`],
      cannotConclude: ['Anything about the page now: xjwatch has not checked it with controls yet (the next crawl or `xjwatch check` does). That the archive\'s copy is what the site served rests on the archive.'],
    };
  }
  if (!last || LIVE_OUTCOMES.has(last.outcome)) {
    const name: VerdictName = altered ? 'present-altered' : 'present-unchanged';
    return {
      ...base,
      name,
      deleted: false,
      headline: altered ? `live, altered: ${ev.captures.length} different versions kept since ${firstSeen}` : `live and unchanged since first captured on ${firstSeen}`,
      canConclude: [
        `The page was served with the captured content on ${firstSeen}${altered ? `, and with different content later (${ev.captures.length} versions; the diff below shows what changed)` : ''}.`,
        last ? `It was still served when last checked on ${last.at}.` : 'It has not been checked again since.',
      ],
      cannotConclude: ['That the page will stay up, or what it showed between the recorded times.'],
    };
  }
  if (last.outcome === 'gone' && last.reason && !last.counted && ev.page.reported !== 'deleted') {
    // gone while the controls were not healthy (the site as a whole in trouble): says nothing yet
    return {
      ...base,
      name: 'unreachable',
      deleted: false,
      reason: last.reason,
      headline: `answered "gone" (${last.reason}) when last checked on ${last.at}, but the site's controls were not healthy then: not evidence of deletion`,
      canConclude: [`The page was captured on ${firstSeen ?? '(never)'}. On ${last.at} ${REASON_WORDS[last.reason] ?? last.reason}, while the site's home page or its other postings did not answer normally either.`],
      cannotConclude: ['That the page was deleted: when the whole site misbehaves, one page\'s answer says nothing about it. Check again when the site is well.'],
    };
  }
  if (last.outcome === 'gone' && last.reason) {
    const name = GONE[last.reason] ?? 'gone-hard';
    const deleted = ev.page.reported === 'deleted';
    const healthy = `with healthy controls (home page up, another posting of the site served normally)`;
    return {
      ...base,
      name,
      deleted,
      reason: last.reason,
      headline: deleted
        ? `deleted (${last.reason}), confirmed on ${confirmedOn} check${confirmedOn === 1 ? '' : 's'} with healthy controls`
        : `gone (${last.reason}) on ${confirmedOn} check${confirmedOn === 1 ? '' : 's'} with healthy controls; not yet confirmed as deleted`,
      canConclude: [
        `The page existed: it was captured on ${firstSeen ?? 'no date (never captured)'}${lastLiveAt ? ` and last seen live on ${lastLiveAt}` : ''}.`,
        `Since then ${REASON_WORDS[last.reason] ?? last.reason}, on ${confirmedOn} consecutive check${confirmedOn === 1 ? '' : 's'} ${healthy}, the last on ${last.at}.`,
        'Because the site was up and serving other pages at the same moments, the absence is not an outage or a block of this crawler.',
      ],
      cannotConclude: [
        'Who removed the page or why; whether it was moved to another address (search the site for its title).',
        'That it is absent everywhere: other servers, mirrors or archives may still hold it.',
      ],
    };
  }
  const name: VerdictName = last.outcome === 'blocked' ? 'blocked' : 'unreachable';
  return {
    ...base,
    name,
    deleted: false,
    reason: last.reason ?? undefined,
    headline: `${name} when last checked on ${last.at}${last.reason ? ` (${last.reason})` : ''}: not evidence of deletion`,
    canConclude: [`The page was captured on ${firstSeen ?? '(never)'}; the last check could not reach it (${last.detail ?? last.reason ?? last.outcome}).`],
    cannotConclude: ['That the page was deleted: a blocked or unreachable answer says nothing about the page itself.'],
  };
}
