#!/usr/bin/env python3
"""Writes zlib_vectors.json: what zlib itself (the system's libz, the one OpenSSH links) sends
for a fixed series of payloads compressed as OpenSSH's packet.c does: one stream at level 6,
each payload deflated with Z_PARTIAL_FLUSH. zlib_test.ts checks that ZlibCompressor sends the
very same bytes.

Run: python3 packages/transport/testdata/make_zlib_vectors.py > packages/transport/testdata/zlib_vectors.json
"""
import hashlib
import json
import zlib


def text(n):
    lines = []
    i = 0
    while sum(len(l) for l in lines) < n:
        lines.append(f"{i:06d} the quick brown fox jumps over the lazy dog {i * 7919 % 1000}\n")
        i += 1
    return "".join(lines).encode()[:n]


def noise(n, seed):
    x = seed
    out = bytearray()
    for _ in range(n):
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF
        out.append(x >> 24)
    return bytes(out)


SIZES = [1, 5, 100, 32768, 70000, 3, 1000, 32768]
source = text(sum(SIZES))
payloads = []
at = 0
for n in SIZES:
    payloads.append(("text", n, source[at:at + n]))
    at += n
payloads.append(("zeros", 32768, bytes(32768)))
payloads.append(("noise", 4096, noise(4096, 7)))

stream = zlib.compressobj(6)  # zlib's defaults otherwise: 15 window bits, memLevel 8
rows = []
for kind, n, p in payloads:
    out = stream.compress(p) + stream.flush(zlib.Z_PARTIAL_FLUSH)
    rows.append({
        "kind": kind,
        "length": n,
        "compressedLength": len(out),
        "sha256": hashlib.sha256(out).hexdigest(),
        **({"hex": out.hex()} if len(out) <= 64 else {}),
    })
print(json.dumps({
    "zlib": zlib.ZLIB_RUNTIME_VERSION,
    "command": "python3 packages/transport/testdata/make_zlib_vectors.py",
    "payloads": rows,
}, indent=2))
