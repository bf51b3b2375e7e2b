#!/usr/bin/env bash
# Makes the private key file fixtures in testdata/formats/ (throwaway test keys only).
# Run from anywhere: bash packages/keys/testdata/make_formats.sh
# Made with OpenSSH_9.2p1 and OpenSSL 3.0; the outputs are committed, this script documents them.
#
# For every key type (ed25519, ecdsa 256/384/521, rsa 2048/3072):
#   NAME            unencrypted OpenSSH key (ssh-keygen, comment "hush-NAME")
#   NAME.pub        its public key line; NAME.fp-sha256 / NAME.fp-md5 the `ssh-keygen -l` output
#   NAME.CIPHER     the same key re-encrypted by `ssh-keygen -p -Z CIPHER` with passphrase
#                   "hush passphrase" (bcrypt rounds: 16 for aes256-ctr, the default cipher;
#                   4 for the other ciphers to keep the tests quick)
# For ecdsa and rsa (ssh-keygen cannot write ed25519 as PEM):
#   NAME.pkcs8.pem      PKCS#8 "PRIVATE KEY" (ssh-keygen -m PKCS8)
#   NAME.pem            "EC PRIVATE KEY" (SEC1) or "RSA PRIVATE KEY" (PKCS#1) (ssh-keygen -m PEM)
#   NAME.pkcs8enc.pem   "ENCRYPTED PRIVATE KEY": openssl pkcs8 -topk8 -v2 aes256 (PBES2,
#                       PBKDF2-HMAC-SHA256, AES-256-CBC), passphrase "hush passphrase"
# For ed25519 PKCS#8 the key comes from openssl (ed25519-openssl.pkcs8.pem and .pkcs8enc.pem);
# its .pub line is built from the raw public key openssl prints.
# sshsig/: SSHSIG signatures of sshsig/message made by `ssh-keygen -Y sign -n file` with each key.
set -euo pipefail
cd "$(dirname "$0")"
rm -rf formats
mkdir -p formats/sshsig
cd formats
PASS="hush passphrase"
CIPHERS=(aes128-ctr aes192-ctr aes256-ctr aes128-cbc aes192-cbc aes256-cbc
  aes128-gcm@openssh.com aes256-gcm@openssh.com chacha20-poly1305@openssh.com)

gen() { # name, ssh-keygen type args...
  local name=$1
  shift
  ssh-keygen -q "$@" -N '' -C "hush-$name" -f "$name"
  ssh-keygen -l -E sha256 -f "$name.pub" >"$name.fp-sha256"
  ssh-keygen -l -E md5 -f "$name.pub" >"$name.fp-md5"
  for c in "${CIPHERS[@]}"; do
    local rounds=4
    [ "$c" = aes256-ctr ] && rounds=16
    cp "$name" "$name.$c"
    ssh-keygen -q -p -f "$name.$c" -P '' -N "$PASS" -Z "$c" -a "$rounds" >/dev/null
  done
}

gen ed25519 -t ed25519
gen ecdsa256 -t ecdsa -b 256
gen ecdsa384 -t ecdsa -b 384
gen ecdsa521 -t ecdsa -b 521
gen rsa2048 -t rsa -b 2048
gen rsa3072 -t rsa -b 3072

# 3des-cbc: ssh-keygen accepts it, Hush refuses it with a clear KeyError (no DES in noble).
cp ed25519 ed25519.3des-cbc
ssh-keygen -q -p -f ed25519.3des-cbc -P '' -N "$PASS" -Z 3des-cbc -a 4 >/dev/null

for name in ecdsa256 ecdsa384 ecdsa521 rsa2048 rsa3072; do
  cp "$name" "$name.pkcs8.pem"
  ssh-keygen -q -p -f "$name.pkcs8.pem" -P '' -N '' -m PKCS8 >/dev/null
  cp "$name" "$name.pem"
  ssh-keygen -q -p -f "$name.pem" -P '' -N '' -m PEM >/dev/null
  openssl pkcs8 -topk8 -v2 aes256 -in "$name.pkcs8.pem" -passout "pass:$PASS" \
    -out "$name.pkcs8enc.pem"
done

openssl genpkey -algorithm ed25519 -out ed25519-openssl.pkcs8.pem
openssl pkcs8 -topk8 -v2 aes256 -in ed25519-openssl.pkcs8.pem -passout "pass:$PASS" \
  -out ed25519-openssl.pkcs8enc.pem
{
  printf '\0\0\0\013ssh-ed25519\0\0\0\040'
  openssl pkey -in ed25519-openssl.pkcs8.pem -pubout -outform DER | tail -c 32
} | base64 -w0 | sed 's/^/ssh-ed25519 /; s/$/\n/' >ed25519-openssl.pkcs8.pem.pub
ssh-keygen -l -E sha256 -f ed25519-openssl.pkcs8.pem.pub >ed25519-openssl.pkcs8.pem.fp-sha256

printf 'Hush signs this file.\n' >sshsig/message
for name in ed25519 ecdsa256 ecdsa384 ecdsa521 rsa2048 rsa3072; do
  ssh-keygen -q -Y sign -n file -f "$name" sshsig/message >/dev/null 2>&1
  mv sshsig/message.sig "sshsig/$name.sig"
done
