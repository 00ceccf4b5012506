/** Anti-bot challenge families seen on Chinese government sites (research notes §2). */
export type ChallengeKind = 'ruishu' | 'jiasule' | 'script';

/**
 * Whether an answer is a JavaScript challenge rather than the page: by status and body markers.
 * Ruishu (瑞数): 412 (sometimes 202 or 200) with `<meta … r='m'>`, `$_ts` and a script marked
 * r='m'. Jiasule (加速乐): 521 with a script writing `__jsl_clearance`. Others: a tiny page whose
 * only content is a script that sets a cookie and reloads. A challenge is never content, a
 * change or a deletion.
 */
export function detectChallenge(status: number, body: Buffer | string): ChallengeKind | undefined {
  const head = (typeof body === 'string' ? body : body.subarray(0, 64 * 1024).toString('latin1')).slice(0, 64 * 1024);
  if (/\$_ts\s*=|\br=['"]m['"]/.test(head) && (status === 412 || status === 202 || status === 200 || /<meta[^>]+r=['"]m['"]/i.test(head))) return 'ruishu';
  if (/__jsl_clearance/.test(head) || (status === 521 && /<script/i.test(head))) return 'jiasule';
  const visible = head.replace(/<script[\s\S]*?<\/script>/gi, '').replace(/<[^>]+>/g, '').trim();
  if (/document\.cookie\s*=/.test(head) && /location(\.href|\.reload|\.replace)/.test(head) && visible.length < 200) return 'script';
  return undefined;
}
