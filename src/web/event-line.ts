import type { XjEvent } from '../detect/events.js';
import { sheetChangeLines } from '../text/sheet-changes.js';

/** Each kind's label, English and Chinese, and its tone in the view. */
export const KIND_LABELS: Record<XjEvent['kind'], { en: string; zh: string; tone: 'new' | 'change' | 'gone' | 'trouble' | 'ok' }> = {
  new_posting: { en: 'new posting', zh: '新发布', tone: 'new' },
  changed: { en: 'changed', zh: '内容变更', tone: 'change' },
  delisted: { en: 'taken off its list', zh: '已下架', tone: 'change' },
  suspected_deletion: { en: 'may be deleted', zh: '疑似删除', tone: 'gone' },
  deleted: { en: 'deleted', zh: '已删除', tone: 'gone' },
  restored: { en: 'restored', zh: '已恢复', tone: 'ok' },
  unreachable: { en: 'unreachable', zh: '无法访问', tone: 'trouble' },
  challenge_failed: { en: 'blocked', zh: '被拦截', tone: 'trouble' },
  site_broken: { en: 'site layout changed', zh: '网站结构变化', tone: 'trouble' },
  operator: { en: 'operator', zh: '运维', tone: 'trouble' },
};

/** What happened, in one line, as a mail's headline says it (the title and site are shown beside it). */
export function eventLine(e: XjEvent): string {
  switch (e.kind) {
    case 'new_posting': {
      const terms = e.terms.map((t) => `${t.term} ×${t.count}`).join(', ');
      const bad = e.attachments.filter((a) => a.error).length;
      return `mentions ${terms || 'no tracked term'}${e.attachments.length ? `; ${e.attachments.length} attachment(s)${bad ? `, ${bad} unreadable` : ''}` : ''}`;
    }
    case 'changed': {
      const parts: string[] = [];
      if (e.attachment) parts.push(`attachment ${e.attachment.name} changed`);
      if (e.rows) parts.push(...sheetChangeLines(e.rows, 2));
      else if (e.added.length || e.removed.length) parts.push(`${e.added.length} run(s) added, ${e.removed.length} removed`);
      if (e.terms_appeared.length) parts.push(`now mentions ${e.terms_appeared.join(', ')}`);
      if (e.terms_vanished.length) parts.push(`no longer mentions ${e.terms_vanished.join(', ')}`);
      const kept = e.terms.map((t) => t.term).filter((t) => !e.terms_appeared.includes(t));
      if (kept.length) parts.push(`${e.terms_appeared.length ? 'also mentions' : 'mentions'} ${kept.join(', ')}`);
      if (e.attachments_added?.length) parts.push(`new attachment(s): ${e.attachments_added.map((a) => a.name).join(', ')}`);
      return parts.join('; ') || 'the text changed';
    }
    case 'delisted':
      return `no longer on ${e.list} (last listed ${e.last_listed_at}), still served`;
    case 'suspected_deletion':
      return `${e.reason}: ${e.detail} — not confirmed yet`;
    case 'deleted':
      return `${e.reason}: ${e.detail} — confirmed on ${e.checks} checks since ${e.failing_since}, controls healthy`;
    case 'restored':
      return `back after ${e.was}${e.same_text === null ? '' : e.same_text ? ', same text' : ', text differs'}`;
    case 'unreachable':
    case 'challenge_failed':
      return `${e.scope === 'site' ? 'the whole site' : 'the page'} — ${e.reason}: ${e.detail}`;
    case 'site_broken':
      return `${e.reason}: ${e.detail}`;
    case 'operator':
      return `${e.problem} ${e.state}: ${e.summary}`;
  }
}

/** The event's title, where it has one. */
export function eventTitle(e: XjEvent): string | null {
  return 'title' in e && typeof e.title === 'string' ? e.title : null;
}
