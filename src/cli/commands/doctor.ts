import { loadSettings, type Settings } from '../../config/settings.js';
import { dataDirOf, EXIT_OK, EXIT_RUNTIME, out, printJson, type CommonOptions } from '../common.js';
import { bold, dim } from '../format.js';
import { siteDirs } from '../../config/site-file.js';
import { PACKAGE_ROOT } from '../../version.js';
import { browserChecks, dataDirCheck, nodeCheck, ocrCheck, opensslCheck, proxyChecks, smtpCheck, sqliteCheck, teamCatalogueCheck, tsaChecks, type Check } from '../doctor-checks.js';

export interface DoctorOptions extends CommonOptions {
  config?: string;
}

const LABEL: Record<Check['status'], string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: '-   ' };

/**
 * `xjwatch doctor`: is this machine ready? One line per check, with the fix for what fails;
 * exit 1 when something a configured feature needs is missing (an unconfigured feature is
 * noted, not failed). Secrets in the environment are used, never printed.
 */
export async function doctorCommand(opts: DoctorOptions): Promise<number> {
  const dataDir = dataDirOf(opts);
  let settings: Settings | undefined;
  let settingsProblem: string | undefined;
  try {
    settings = loadSettings(dataDir, opts.config);
  } catch (e) {
    settingsProblem = (e as Error).message;
  }
  const [browser, openssl, ocr, sqlite, team, smtp, tsa, proxy] = await Promise.all([browserChecks(), opensslCheck(), ocrCheck(), sqliteCheck(), teamCatalogueCheck(), smtpCheck(settings), tsaChecks(settings, settingsProblem), proxyChecks(siteDirs(dataDir, PACKAGE_ROOT))]);
  const checks: Check[] = [nodeCheck(), ...browser, openssl, ocr, sqlite, ...team, dataDirCheck(dataDir), smtp, ...tsa, ...proxy];
  if (settingsProblem) checks.push({ check: 'settings', status: 'fail', detail: settingsProblem, fix: 'correct the file and field named' });
  const failed = checks.filter((c) => c.status === 'fail');
  if (opts.json) {
    for (const c of checks) printJson(c);
  } else {
    for (const c of checks) {
      out(`${c.status === 'fail' ? bold(LABEL.fail) : LABEL[c.status]}  ${c.check.padEnd(9)} ${c.detail}`);
      if (c.fix && c.status !== 'ok') out(dim(`                fix: ${c.fix}`));
    }
    out(failed.length ? `${failed.length} check(s) failed: ${failed.map((c) => c.check).join(', ')}` : 'ready: every configured feature has what it needs');
  }
  return failed.length ? EXIT_RUNTIME : EXIT_OK;
}
