import type { XjEvent } from '../detect/events.js';
import type { Tallies } from '../store/tallies.js';
import type { WatchFacts } from './demo-watch.js';

/** Everything the demo's closing summary may speak of, as this run recorded it. */
export interface DemoFacts {
  events: XjEvent[];
  tallies: Tallies;
  /** why Chromium could not start (then the browser's part of the tour was skipped) */
  browserProblem?: string;
  /** site ids of the tour's parts, as crawled */
  challenged: string;
  scripted: string;
  wall: string;
  outage: string;
  /** the evidence bundle as `verify` found it; undefined when none was made */
  bundle?: { dir: string; files: number; problems: number; stampsOk: number; stampProblems: string[] };
  /** step 5, the watcher: how long after each happening it was reported */
  watch?: WatchFacts;
  mails: number;
  shown: number;
  seconds: number;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The demo's closing sentences, each made from what the run recorded: a part of the tour that did
 * not happen is said not to have happened, never described as if it had.
 */
export function demoSummary(f: DemoFacts): { lines: string[]; missed: string[] } {
  const lines: string[] = [];
  const missed: string[] = [];
  const of = <K extends XjEvent['kind']>(kind: K, site?: string) => f.events.filter((e): e is XjEvent & { kind: K } => e.kind === kind && (!site || e.site === site));
  const t = f.tallies;
  const fresh = of('new_posting');
  lines.push(`${plural(t.postings, 'posting')} and ${plural(t.attachments, 'attachment')} captured; ${fresh.length} mention tracked terms${fresh.length > f.shown ? ` (${f.shown} shown above; all with \`events\`)` : ''}.`);

  const changed = of('changed');
  if (changed.length) lines.push(`The edit was found: ${changed.map((e) => `"${e.title}" (${plural(e.added.length, 'passage')} added${e.terms_appeared.length ? `, bringing ${e.terms_appeared.join(', ')}` : ''})`).join('; ')}.`);
  else missed.push('the edited posting was not reported as changed');

  const deleted = of('deleted');
  if (deleted.length) {
    const how = deleted.map((e) => `${e.reason} on ${plural(e.checks, 'check')}${e.controls.healthy ? '' : ' (controls NOT healthy)'}`);
    lines.push(`${plural(deleted.length, 'deletion')} confirmed: ${how.join(', ')}${deleted.every((e) => e.controls.healthy) ? ', each with healthy controls' : ''}.`);
  }
  if (deleted.length < 3) missed.push(`${3 - deleted.length} of the 3 take-downs not confirmed as deleted`);

  const down = f.events.filter((e) => (e.kind === 'unreachable' || e.kind === 'challenge_failed') && e.site === f.outage && e.scope === 'site');
  const back = of('restored', f.outage).filter((e) => e.scope === 'site');
  const falseDeletions = [...of('deleted', f.outage), ...of('suspected_deletion', f.outage)].length;
  if (down.length) {
    lines.push(`The outage of ${f.outage} was reported as ${plural(down.length, 'site event')}${back.length ? ' and its return as restored' : ' (its return was NOT reported)'}; ${falseDeletions ? `${plural(falseDeletions, 'page')} of it WERE reported as deleted` : 'none of its pages was called deleted'}.`);
  } else missed.push(`the outage of ${f.outage} was not reported`);

  if (f.browserProblem) {
    lines.push(`Skipped, because Chromium could not start: ${f.challenged} (behind a 412 challenge), ${f.scripted} (a list built by script), ${f.wall} (a wall), and every screenshot and PDF print.`);
    missed.push('the browser part of the tour');
  } else {
    const c = t.bySite[f.challenged];
    const blocked = f.events.find((e) => e.kind === 'challenge_failed' && e.site === f.challenged);
    if (blocked && blocked.kind === 'challenge_failed') {
      lines.push(`${f.challenged} stayed BLOCKED: ${blocked.detail}.`);
      missed.push(`the challenge of ${f.challenged} was not passed`);
    } else if (c && c.browser > 0 && c.http200 > 0) {
      lines.push(`${f.challenged}'s challenge was passed in Chromium (${plural(c.browser, 'browser request')}); its cookies then fetched ${plural(c.http200, 'page')} over plain HTTP.`);
    } else missed.push(`${f.challenged} was neither passed nor reported blocked`);
    const s = t.bySite[f.scripted];
    if (s && s.postings > 0) lines.push(`${f.scripted}'s list, built by script, was read as Chromium rendered it: ${plural(s.postings, 'posting')}.`);
    else missed.push(`no posting of ${f.scripted}'s script-built list was captured`);
    const wall = f.events.find((e) => e.kind === 'challenge_failed' && e.site === f.wall);
    if (wall && wall.kind === 'challenge_failed') lines.push(`${f.wall} was reported once as challenge_failed (${wall.detail}).`);
    else missed.push(`the wall ${f.wall} was not reported as challenge_failed`);
    if (t.pictures) lines.push(`${plural(t.pictures, 'screenshot')} (each with a PDF print) of new, changed and deleted pages kept.`);
    else missed.push(`no screenshot was made${t.pictureProblems.length ? ` (${t.pictureProblems[0]})` : ''}`);
  }

  const b = f.bundle;
  if (b && b.problems === 0) {
    const stamped = b.stampsOk ? `time-stamped (${plural(b.stampsOk, 'token')})` : `not time-stamped${b.stampProblems.length ? ` (${b.stampProblems[0]})` : ''}`;
    lines.push(`The 404 deletion is proved by a bundle of ${plural(b.files, 'file')}, ${stamped}, that \`xjwatch verify\` found intact; its VERIFY.md gives the standard commands (sha256sum -c, openssl ts -verify, any WARC reader).`);
  } else if (b) missed.push(`the evidence bundle did not verify (${plural(b.problems, 'problem')})`);
  else missed.push('no evidence bundle was made');

  if (f.watch) {
    const names = { new: 'the new posting was reported', edit: 'the edit', deletion: 'the take-down confirmed as deleted' };
    const got = f.watch.arrived.filter((a) => a.after !== undefined);
    if (got.length) lines.push(`Watching on a 3-second schedule, ${got.map((a) => `${names[a.what]} ${a.after!.toFixed(0)} s after it happened`).join(', ')}.`);
    for (const a of f.watch.arrived.filter((x) => x.after === undefined)) missed.push(`the watcher did not report ${a.what === 'new' ? 'the new posting' : a.what === 'edit' ? 'the edit' : 'the take-down'} within 40 s`);
  }

  lines.push(f.mails ? `${plural(f.mails, 'alert mail')} written as .eml files (XJWATCH_SMTP_URL sends them instead).` : 'No alert mail was written.');
  lines.push(`${plural(t.fetches, 'HTTP exchange')}${t.browserFetches ? ` (${t.browserFetches} by Chromium)` : ''} kept as WARC 1.1 records in ${plural(t.warcFiles, 'file')}, every body under its SHA-256.`);
  lines.push(`The demo took ${f.seconds.toFixed(0)} s.`);
  return { lines, missed };
}
