// `npm run bench -- <name> [args]`: runs bench/<name>.ts (which may read its own args after the
// name); its last line of output is a JSON object.
const BENCHES: Record<string, () => Promise<Record<string, number>>> = {
  crawl: async () => (await import('./crawl.js')).benchCrawl(),
  recheck: async () => (await import('./recheck.js')).benchRecheck(),
  browser: async () => (await import('./browser.js')).benchBrowser(),
  startup: async () => (await import('./startup.js')).benchStartup(),
  terms: async () => (await import('./terms.js')).benchTerms(),
  render: async () => (await import('./render.js')).benchRender(),
  scale: async () => (await import('./scale.js')).benchScale(),
  soak: async () => (await import('./soak.js')).benchSoak(),
  attachments: async () => (await import('./attachments.js')).benchAttachments(),
  serve: async () => (await import('./serve.js')).benchServe(),
  team: async () => (await import('./team.js')).benchTeam(),
};

const name = process.argv[2];
if (!name || !BENCHES[name]) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}>\n`);
  process.exit(2);
}
const figures = await BENCHES[name]!();
console.log(JSON.stringify({ bench: name, ...figures }));
