"""Makes the python/ key files of testdata/thirdparty/ (run by make_thirdparty.sh).

usage: python3 make_thirdparty.py DIR PASSPHRASE   (from testdata/thirdparty/)

Writes keys with Python's `cryptography` (Debian python3-cryptography 38) and `paramiko`
(python3-paramiko 2.12) into DIR, each KEY with KEY.pub (its OpenSSH public line), and prints
one line per private key file on stdout: FILE, KEY, PASSPHRASE ("-": none), EXPECT.
Throwaway test keys only.
"""
import base64
import os
import sys

import paramiko
from cryptography.hazmat.primitives import serialization as s
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

out, passphrase = sys.argv[1], sys.argv[2]
enc = s.BestAvailableEncryption(passphrase.encode())
plain = s.NoEncryption()
PEM = s.Encoding.PEM
TRADITIONAL = s.PrivateFormat.TraditionalOpenSSL  # PKCS#1 / SEC1; AES-256-CBC DEK-Info
PKCS8 = s.PrivateFormat.PKCS8  # encrypted: PBES2
OPENSSH = s.PrivateFormat.OpenSSH  # encrypted: bcrypt + aes256-ctr


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, 0o600)


def public_line(key, path):
    line = key.public_key().public_bytes(s.Encoding.OpenSSH, s.PublicFormat.OpenSSH)
    write(path + ".pub", line + b"\n")


def emit(file, key, pw):
    print(f"{file}\t{key}\t{pw if pw else '-'}\tok")


def cryptography_key(name, key, formats):
    base = f"{out}/{name}"
    public_line(key, base)
    for fmt, label, encrypted in formats:
        file = f"{base}.{label}"
        write(file, key.private_bytes(PEM, fmt, enc if encrypted else plain))
        emit(file, base, passphrase if encrypted else None)


cryptography_key(
    "ed25519",
    ed25519.Ed25519PrivateKey.generate(),
    [(PKCS8, "pkcs8.pem", False), (PKCS8, "pkcs8enc.pem", True), (OPENSSH, "openssh", False),
     (OPENSSH, "openssh-enc", True)],
)
for bits, curve in [(256, ec.SECP256R1()), (384, ec.SECP384R1()), (521, ec.SECP521R1())]:
    cryptography_key(
        f"ecdsa{bits}",
        ec.generate_private_key(curve),
        [(TRADITIONAL, "pem", False), (TRADITIONAL, "pem-aes256", True),
         (PKCS8, "pkcs8enc.pem", True), (OPENSSH, "openssh-enc", True)],
    )
cryptography_key(
    "rsa2048",
    rsa.generate_private_key(65537, 2048),
    [(TRADITIONAL, "pem-aes256", True), (PKCS8, "pkcs8.pem", False), (OPENSSH, "openssh", False)],
)

# paramiko's own writer (write_private_key_file), with and without a passphrase
for name, key, pw in [
    ("paramiko-rsa2048", paramiko.RSAKey.generate(2048), passphrase),
    ("paramiko-ecdsa256", paramiko.ECDSAKey.generate(bits=256), passphrase),
    ("paramiko-ecdsa521", paramiko.ECDSAKey.generate(bits=521), None),
]:
    base = f"{out}/{name}"
    key.write_private_key_file(base, password=pw)
    write(base + ".pub", f"{key.get_name()} {key.get_base64()}\n".encode())
    emit(base, base, pw)


# SEC1 ECPrivateKey with a zero byte before the scalar (RFC 5915 says the octet string is
# ceiling(log2(n)/8) bytes; OpenSSL, OpenSSH and PuTTY's exports allow one more): the DER
# is built here by hand from a cryptography key whose scalar has its top bit set.
def der(tag, body):
    n = len(body)
    if n < 0x80:
        head = bytes([tag, n])
    elif n < 0x100:
        head = bytes([tag, 0x81, n])
    else:
        head = bytes([tag, 0x82, n >> 8, n & 0xFF])
    return head + body


CURVE_OIDS = {256: "2a8648ce3d030107", 384: "2b81040022", 521: "2b81040023"}
for bits, curve, size in [(256, ec.SECP256R1(), 32), (384, ec.SECP384R1(), 48),
                          (521, ec.SECP521R1(), 66)]:
    while True:
        key = ec.generate_private_key(curve)
        d = key.private_numbers().private_value.to_bytes(size, "big")
        if bits == 521 or d[0] & 0x80:
            break
    point = key.public_key().public_bytes(s.Encoding.X962, s.PublicFormat.UncompressedPoint)
    body = (der(0x02, b"\x01") + der(0x04, b"\x00" + d)
            + der(0xA0, der(0x06, bytes.fromhex(CURVE_OIDS[bits])))
            + der(0xA1, der(0x03, b"\x00" + point)))
    base = f"{out}/ecdsa{bits}z"
    public_line(key, base)
    b64 = base64.b64encode(der(0x30, body)).decode()
    lines = "\n".join(b64[i:i + 64] for i in range(0, len(b64), 64))
    file = f"{base}.sec1-zero.pem"
    write(file, f"-----BEGIN EC PRIVATE KEY-----\n{lines}\n-----END EC PRIVATE KEY-----\n".encode())
    emit(file, base, None)
