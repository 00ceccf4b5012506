/**
 * A progress line on stderr once a run has taken more than a second: redrawn in place on a
 * terminal, a plain line every few seconds otherwise (logs, tests).
 */
export function startProgress(line: () => string): () => void {
  const tty = Boolean(process.stderr.isTTY);
  let shown = false;
  const draw = () => {
    shown = true;
    if (tty) process.stderr.write(`\r\x1b[K${line()}`);
    else process.stderr.write(`${line()}\n`);
  };
  let interval: NodeJS.Timeout | undefined;
  const first = setTimeout(() => {
    draw();
    interval = setInterval(draw, tty ? 250 : 5000);
    interval.unref();
  }, 1000);
  first.unref();
  return () => {
    clearTimeout(first);
    if (interval) clearInterval(interval);
    if (shown && tty) process.stderr.write('\r\x1b[K');
  };
}
