#!/bin/sh
# Makes vectors.tsv: plain Blowfish (ECB, one 8-byte block) known answers from OpenSSL's legacy
# provider, one line per vector: key hex, plaintext hex, ciphertext hex. OpenSSL's bf-ecb takes
# 16-byte keys; Blowfish repeats a short key over the P-array, so an 8-byte key written twice is
# the same key. Run from this directory: sh make_vectors.sh   (made with OpenSSL 3.0, Debian 12)
set -eu
vector() { # key-hex plaintext-hex
  ct=$(printf '%s' "$2" | xxd -r -p |
    openssl enc -provider legacy -provider default -bf-ecb -K "$1" -nopad | xxd -p)
  printf '%s\t%s\t%s\n' "$1" "$2" "$ct"
}
{
  vector 00000000000000000000000000000000 0000000000000000
  vector ffffffffffffffffffffffffffffffff ffffffffffffffff
  vector 30000000000000003000000000000000 1000000000000001
  vector fedcba9876543210fedcba9876543210 0123456789abcdef
  for _ in 1 2 3 4 5 6 7 8; do
    vector "$(openssl rand -hex 16)" "$(openssl rand -hex 8)"
  done
} > vectors.tsv
