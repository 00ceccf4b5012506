/**
 * An independent third-party capture: the Internet Archive's Save Page Now (SPN2). `capture_all=1`
 * asks it to keep error pages too, so a 404 is archived as a 404. Keys ("access:secret") make the
 * API answer with a job to follow; the base URL can point at a local imitation in tests.
 */
export interface WaybackResult {
  url: string;
  status: 'success' | 'pending' | 'error';
  job_id?: string;
  /** the archived copy, when it exists */
  capture?: string;
  timestamp?: string;
  problem?: string;
  asked_at: string;
}

export interface WaybackOptions {
  base: string;
  keys?: string;
  /** how long to wait for the capture to finish before recording it as pending */
  waitMs: number;
  pollMs: number;
}

export function waybackOptions(env: NodeJS.ProcessEnv = process.env): WaybackOptions {
  return {
    base: (env.XJWATCH_WAYBACK_URL || 'https://web.archive.org').replace(/\/+$/, ''),
    ...(env.XJWATCH_IA_KEYS ? { keys: env.XJWATCH_IA_KEYS } : {}),
    waitMs: Number(env.XJWATCH_WAYBACK_WAIT_MS) || 120_000,
    pollMs: Number(env.XJWATCH_WAYBACK_POLL_MS) || 5_000,
  };
}

export async function saveToWayback(url: string, o: WaybackOptions): Promise<WaybackResult> {
  const asked_at = new Date().toISOString();
  const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' };
  if (o.keys) headers.Authorization = `LOW ${o.keys}`;
  try {
    const res = await fetch(`${o.base}/save`, { method: 'POST', headers, body: new URLSearchParams({ url, capture_all: '1' }).toString(), signal: AbortSignal.timeout(60_000) });
    const body = (await res.json().catch(() => ({}))) as { job_id?: string; message?: string; status?: string };
    if (!res.ok || !body.job_id) return { url, status: 'error', problem: body.message ?? `HTTP ${res.status} ${res.statusText}`.trim(), asked_at };
    const deadline = Date.now() + o.waitMs;
    for (;;) {
      const s = await fetch(`${o.base}/save/status/${encodeURIComponent(body.job_id)}`, { headers, signal: AbortSignal.timeout(30_000) });
      const st = (await s.json().catch(() => ({}))) as { status?: string; timestamp?: string; original_url?: string; message?: string };
      if (st.status === 'success' && st.timestamp) {
        return { url, status: 'success', job_id: body.job_id, timestamp: st.timestamp, capture: `${o.base}/web/${st.timestamp}/${st.original_url ?? url}`, asked_at };
      }
      if (st.status === 'error') return { url, status: 'error', job_id: body.job_id, problem: st.message ?? 'the capture failed', asked_at };
      if (Date.now() + o.pollMs > deadline) return { url, status: 'pending', job_id: body.job_id, problem: `not finished after ${Math.round(o.waitMs / 1000)} s: see ${o.base}/save/status/${body.job_id}`, asked_at };
      await new Promise((r) => setTimeout(r, o.pollMs));
    }
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { url, status: 'error', problem: e.cause?.code ?? e.message, asked_at };
  }
}
