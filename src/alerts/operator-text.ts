// What an operator mail says of each problem: its name, and what to do about it.

const LABEL: Record<string, string> = {
  site_quiet: 'site gone quiet',
  host_blocked: 'site unreachable or blocked',
  list_broken: 'list yields no postings',
  disk_filling: 'disk filling',
  outbox_stuck: 'outbox stuck',
};

const ADVICE: Record<string, string> = {
  site_quiet:
    "Open the site's list pages in a browser. If they show postings newer than the last one xjwatch found, its lists or their pager no longer lead to them: fix the site file's `lists:` and try it with `xjwatch crawl <site> --max-pages 1`. If the site really posts nothing, that is worth telling the researchers.",
  host_blocked:
    "From this machine, try `curl -sI <home page>`. A 403, 412 or 521, or a challenge page, means the site refuses this address: try `fetch: browser`, a slower `rate:` or another way out (`XJWATCH_PROXY`). A timeout or a refused connection means the host is down or filtered. Meanwhile nothing it holds is counted as deleted, and nothing new is found.",
  list_broken:
    "The list page answers, but its `links:` selector matches nothing: the site's layout changed. Open the list's address, adjust `lists[].links` (and `next:`) in the site file, and try it with `xjwatch crawl <site> --max-pages 1`.",
  disk_filling:
    "Make room on the data directory's disk or grow it. Do not delete files from the data directory to make room: they are the evidence, and `xjwatch verify` reports what is missing. A disk that fills stops the watcher (what is kept stays consistent, but nothing more is kept).",
  outbox_stuck:
    'Mail is not going out; the last error says why. Check XJWATCH_SMTP_URL and the mail server (`xjwatch doctor`), then `xjwatch outbox --send`. Every mail is kept and goes out once the server takes it.',
};

export function operatorLabel(problem: unknown, state: unknown): string {
  const label = LABEL[String(problem)] ?? String(problem);
  return state === 'cleared' ? `cleared: ${label}` : label;
}

export function operatorAdvice(problem: unknown, state: unknown): string {
  if (state === 'cleared') return 'Nothing: this clears the problem reported before.';
  return ADVICE[String(problem)] ?? 'See `xjwatch status`.';
}
