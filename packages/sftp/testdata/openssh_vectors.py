#!/usr/bin/env python3
"""Records request and reply packets of OpenSSH's sftp-server for the codec tests.

Run: python3 packages/sftp/testdata/openssh_vectors.py > packages/sftp/testdata/openssh_sftp_server.json
(OpenSSH 9.2p1's /usr/lib/openssh/sftp-server, run in a scratch directory, as root; the paths and
user names of the replies are those of the machine that made them.)
"""
import json, os, struct, subprocess, tempfile

def s(x):
    x = x.encode() if isinstance(x, str) else x
    return struct.pack(">I", len(x)) + x

work = tempfile.mkdtemp(prefix="sftpvec-")
with open(os.path.join(work, "f.txt"), "w") as f:
    f.write("hello\n")
p = subprocess.Popen(["/usr/lib/openssh/sftp-server"], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, cwd=work)
out = []

def exchange(name, body):
    p.stdin.write(struct.pack(">I", len(body)) + body)
    p.stdin.flush()
    n = struct.unpack(">I", p.stdout.read(4))[0]
    reply = p.stdout.read(n)
    out.append({"name": name, "request": body.hex(), "reply": reply.hex()})
    return reply

u32 = lambda v: struct.pack(">I", v)
exchange("init", bytes([1]) + u32(3))
exchange("limits", bytes([200]) + u32(1) + s("limits@openssh.com"))
exchange("users-groups-by-id", bytes([200]) + u32(2) + s("users-groups-by-id@openssh.com")
         + s(struct.pack(">II", 0, 99999)) + s(u32(0)))
exchange("stat missing", bytes([17]) + u32(5) + s("/nonexistent"))
exchange("unknown extension", bytes([200]) + u32(6) + s("nosuch@example.org"))
h = exchange("open", bytes([3]) + u32(7) + s(work + "/f.txt") + u32(1) + u32(0))
exchange("read past the read limit", bytes([5]) + u32(8) + s(h[9:]) + struct.pack(">QI", 0, 1000000))
exchange("read eof", bytes([5]) + u32(9) + s(h[9:]) + struct.pack(">QI", 6, 10))
exchange("read with an unknown handle", bytes([5]) + u32(10) + s(u32(99)) + struct.pack(">QI", 0, 10))
exchange("symlink", bytes([20]) + u32(11) + s("target") + s(work + "/link"))
exchange("readlink", bytes([19]) + u32(12) + s(work + "/link"))
p.stdin.close()
p.wait()
print(json.dumps({"workdir": work, "packets": out}, indent=1))
