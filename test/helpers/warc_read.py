#!/usr/bin/env python3
"""An independent WARC reader for the tests: Python's standard library only (gzip, hashlib).

Reads every record of a .warc.gz, re-computes each sha256 WARC-Block-Digest and
WARC-Payload-Digest, and prints one JSON line per record. Exit 1 if any digest or length is wrong.
"""
import base64, gzip, hashlib, json, sys

def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()

def main(path):
    data = gzip.open(path, "rb").read()
    pos, bad = 0, 0
    while pos < len(data):
        end = data.index(b"\r\n\r\n", pos)
        lines = data[pos:end].decode("utf-8").split("\r\n")
        version, headers = lines[0], {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        length = int(headers["content-length"])
        block = data[end + 4:end + 4 + length]
        pos = end + 4 + length
        if data[pos:pos + 4] != b"\r\n\r\n":
            print(json.dumps({"error": "record not followed by CRLF CRLF", "at": pos})); sys.exit(1)
        pos += 4
        rec = {"version": version, "type": headers.get("warc-type"), "uri": headers.get("warc-target-uri"),
               "ip": headers.get("warc-ip-address"), "date": headers.get("warc-date"), "problems": []}
        if len(block) != length:
            rec["problems"].append("short block")
        bd = headers.get("warc-block-digest")
        if bd and bd.startswith("sha256:") and bd != digest(block):
            rec["problems"].append("block digest")
        pd = headers.get("warc-payload-digest")
        if rec["type"] in ("response", "request"):
            head, _, payload = block.partition(b"\r\n\r\n")
            rec["status"] = head.split(b"\r\n", 1)[0].decode("latin-1")
            rec["payload_sha256"] = hashlib.sha256(payload).hexdigest()
            if pd and pd.startswith("sha256:") and pd != digest(payload):
                rec["problems"].append("payload digest")
        bad += bool(rec["problems"])
        print(json.dumps(rec, ensure_ascii=False))
    sys.exit(1 if bad else 0)

if __name__ == "__main__":
    main(sys.argv[1])
