import { InputError } from '../../config/errors.js';
import { listSiteFiles, loadSiteFile, siteDirs } from '../../config/site-file.js';
import { PACKAGE_ROOT } from '../../version.js';
import { dataDirOf, err, out, printJson, type CommonOptions } from '../common.js';
import { bold, dim, red } from '../format.js';

/** Lists the configured sites; a malformed site file is reported (file:line: field) and exits 2. */
export async function sitesCommand(ids: string[], opts: CommonOptions & { probe?: boolean; wait?: boolean }): Promise<number> {
  if (opts.probe) return (await import('./sites-probe.js')).probeCommand(ids, opts);
  if (ids.length) throw new InputError(`site ids are for --probe (\`xjwatch sites --probe ${ids.join(' ')}\`); \`xjwatch sites\` lists every site`);
  const dirs = siteDirs(dataDirOf(opts), PACKAGE_ROOT);
  let bad = 0;
  for (const [id, file] of listSiteFiles(dirs)) {
    try {
      const s = loadSiteFile(file);
      if (opts.json) {
        printJson({ id: s.id, name: s.name, home: s.home, file, schedule: s.schedule, timezone: s.timezone, fetch: s.fetch, lists: s.lists.map((l) => l.url), tags: s.tags, proxy: s.proxy ? { url: s.proxy.shown, from: s.proxy.from } : null });
      } else {
        out(`${bold(s.id)}  ${s.name}  ${dim(s.home)}`);
        out(`  ${dim(`${file} · schedule "${s.schedule}" ${s.timezone} · fetch ${s.fetch} · ${s.rate.perHost}/host, ${s.rate.delayMs} ms apart${s.proxy ? ` · via ${s.proxy.shown} (${s.proxy.from})` : ''}`)}`);
        for (const l of s.lists) out(`  list ${l.url}`);
      }
    } catch (e) {
      bad++;
      if (opts.json) printJson({ id, file, error: (e as Error).message });
      else out(`${red(id)}  ${red('INVALID')}  ${(e as Error).message}`);
    }
  }
  if (bad) err(`xjwatch: ${bad} site file(s) are invalid`);
  return bad ? 2 : 0;
}
