/** VERIFY.md: the commands a sceptic runs, with standard tools only. Never names a stamp file, so stamping later changes nothing hashed. */
export function verifyMd(pages: { n: number; url: string; headline: string }[]): string {
  return `# How to verify this evidence bundle

Everything below uses standard tools (coreutils, OpenSSL, Python 3's standard library, any WARC
reader). You do not need, and should not need to trust, the software that made the bundle.
Run the commands in this folder (the one holding \`manifest.json\`).

What the bundle claims:
${pages.map((p) => `- page ${p.n}: \`${p.url}\` — ${p.headline}`).join('\n')}

## 1. No file was altered since the bundle was made

    sha256sum -c SHA256SUMS

Every line must end in \`OK\` (on macOS: \`shasum -a 256 -c SHA256SUMS\`). \`SHA256SUMS\` covers
every file, \`manifest.json\` included; \`manifest.json\` lists the same hashes with what each file is.

## 2. The bundle existed at the time stated (RFC 3161 time-stamps)

Each \`timestamps/*.tsr\` is a time-stamp token, signed by an independent time-stamp authority, over
\`manifest.json\` — and so, through its hashes, over every file:

    for t in timestamps/*.tsr; do b="\${t%.tsr}"; echo "$t"; openssl ts -verify -data manifest.json -in "$t" -CAfile "$b.root.pem" \$([ -s "$b.chain.pem" ] && echo -untrusted "$b.chain.pem"); done

Each must print \`Verification: OK\`. The time is in \`openssl ts -reply -in timestamps/<name>.tsr -text\`
(\`Time stamp:\`). The root certificate \`<name>.root.pem\` came with the authority's reply or from
the monitor's settings, inside this bundle — so it proves nothing by itself: compare its
fingerprint with the one the authority publishes (or verify with \`-CAfile\` set to a root you
obtained from the authority yourself):

    openssl x509 -in timestamps/<name>.root.pem -noout -subject -fingerprint -sha256

If \`timestamps/\` holds no \`.tsr\` file, no time-stamp authority was reachable when the bundle was
made; \`timestamps/README.txt\` says so. The bundle is otherwise complete.

## 3. The captures themselves (WARC 1.1)

\`evidence.warc.gz\` holds the original HTTP requests and responses — of each capture, of each later
check, and of the control requests made with each check (the site's home page, another of its
postings, a made-up address) — copied byte for byte from the store in which they were written when
they happened. Each record carries \`WARC-Date\`, \`WARC-IP-Address\` (the server actually contacted)
and SHA-256 \`WARC-Block-Digest\`/\`WARC-Payload-Digest\`. A record of an exchange made through a proxy
(to reach a site that does not answer abroad) has no \`WARC-IP-Address\`, since the proxy chose the
server's address; \`XJ-Via-Proxy\` names the proxy instead (without its login). Open it with any WARC reader, e.g.:

- https://replayweb.page — "Choose File"; the file is read in your browser, not uploaded;
- \`pip install warcio\`, then \`warcio index evidence.warc.gz\` and \`warcio check evidence.warc.gz\`
  (re-computes every digest);
- \`zcat evidence.warc.gz | less\` shows the raw records.

\`manifest.json\` → \`pages[].records\` gives each exchange's offset and length in the file, and where
it sat in the monitor's own store.

## 4. The bodies

\`pages/<n>/captures/*\` are the response bodies as received (HTML in the site's own encoding, PDF,
DOC, XLS …); the SHA-256 of each equals the \`WARC-Payload-Digest\` of its response record
(\`sha256sum pages/1/captures/*\`). The \`.extracted.txt\` files beside them are the text read from them.

## 5. The custody log

\`custody.jsonl\` holds the monitor's log entries for every capture and check in the bundle. Each entry
is hash-linked to the one before it in the monitor's store: its \`hash\` is the SHA-256 of
\`prev\`, a newline, and \`record\` (the row as written at the time):

    python3 -c 'import json,hashlib; bad=[e["seq"] for e in map(json.loads, open("custody.jsonl", encoding="utf-8")) if hashlib.sha256((e["prev"]+"\\n"+e["record"]).encode()).hexdigest()!=e["hash"]]; print("custody entries OK" if not bad else "BAD: %s" % bad)'

\`manifest.json\` → \`custody_head\` is the log's last hash when the bundle was made; with the
time-stamp it pins the monitor's whole log at that moment.

## 6. Read the report

\`report.html\` opens offline in any browser (it loads nothing from the network) and states, for each
page, the verdict and why, the timeline of every capture and check with the server's IP and the
controls, the tracked terms found, and the before/after difference where the page changed.
`;
}
