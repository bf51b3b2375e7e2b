#!/bin/sh
# Makes the core vectors of @hush/keys: public/private keys of every type, their
# fingerprints and randomart as ssh-keygen prints them, SPKI PEM exports, and certificates.
# All keys are throwaway test keys. Run from this directory: sh make_core.sh
# Made with OpenSSH_9.2p1 (Debian 12).
set -eu
rm -rf core && mkdir -p core/certs
cd core

gen() { # name type bits
  if [ -n "$3" ]; then
    ssh-keygen -q -t "$2" -b "$3" -N "" -C "$1@hush.test" -f "$1"
  else
    ssh-keygen -q -t "$2" -N "" -C "$1@hush.test" -f "$1"
  fi
  ssh-keygen -l -f "$1.pub" > "$1.fp-sha256"
  ssh-keygen -l -E md5 -f "$1.pub" > "$1.fp-md5"
  ssh-keygen -lv -f "$1.pub" > "$1.art-sha256"
  ssh-keygen -lv -E md5 -f "$1.pub" > "$1.art-md5"
}

gen ed25519 ed25519 ""
gen ecdsa256 ecdsa 256
gen ecdsa384 ecdsa 384
gen ecdsa521 ecdsa 521
gen rsa1024 rsa 1024
gen rsa2048 rsa 2048
gen rsa3072 rsa 3072
gen rsa4096 rsa 4096

# PEM SPKI (ssh-keygen -e -m PKCS8 writes a SubjectPublicKeyInfo "PUBLIC KEY").
for k in ecdsa256 ecdsa384 ecdsa521 rsa2048; do
  ssh-keygen -e -m PKCS8 -f "$k.pub" > "$k.spki.pem"
done
# Ed25519 SPKI from openssl, and the same key's raw 32 bytes (last 32 of the DER).
openssl genpkey -algorithm ed25519 -out ed25519-openssl.key 2>/dev/null
openssl pkey -in ed25519-openssl.key -pubout -out ed25519-openssl.spki.pem
openssl pkey -in ed25519-openssl.key -pubout -outform DER | tail -c 32 | od -An -tx1 | tr -d ' \n' > ed25519-openssl.raw.hex
rm ed25519-openssl.key

# Certificates.
cd certs
ssh-keygen -q -t ed25519 -N "" -C "ca-ed25519" -f ca_ed25519
ssh-keygen -q -t rsa -b 2048 -N "" -C "ca-rsa" -f ca_rsa
ssh-keygen -q -t ecdsa -b 384 -N "" -C "ca-ecdsa" -f ca_ecdsa
for k in ed25519 ecdsa256 rsa2048; do cp "../$k.pub" "user_$k.pub"; done
cp ../ecdsa384.pub host_ecdsa384.pub
cp ../ed25519.pub host_ed25519.pub

V="-V 20250101000000:20350101000000"
# User certificates: principals, validity, critical options, signed by each CA type.
ssh-keygen -q -s ca_ed25519 -I "alice-ed25519" -n alice,bob $V -z 1 \
  -O force-command="echo forced, with spaces" -O source-address=10.0.0.0/8,192.168.1.1 \
  user_ed25519.pub
ssh-keygen -q -s ca_rsa -t rsa-sha2-512 -I "alice-ecdsa" -n alice $V -z 2 user_ecdsa256.pub
ssh-keygen -q -s ca_ecdsa -I "alice-rsa" -n alice $V -z 3 -O no-pty user_rsa2048.pub
# Host certificates.
ssh-keygen -q -s ca_ed25519 -h -I "host-ecdsa" -n host.example.com,10.1.2.3 $V -z 4 \
  host_ecdsa384.pub
ssh-keygen -q -s ca_rsa -t rsa-sha2-256 -h -I "host-ed25519" -n host.example.com $V -z 5 \
  host_ed25519.pub
# Edge cases: expired, no principals, unknown critical option, SHA-1 CA signature.
cp user_ed25519.pub expired_ed25519.pub
ssh-keygen -q -s ca_ed25519 -I expired -n alice -V 20000101000000:20010101000000 expired_ed25519.pub
cp user_ed25519.pub noprincipals_ed25519.pub
ssh-keygen -q -s ca_ed25519 -I noprincipals $V noprincipals_ed25519.pub
cp user_ed25519.pub unknowncrit_ed25519.pub
ssh-keygen -q -s ca_ed25519 -I unknowncrit -n alice $V -O critical:frobnicate@hush.test=yes \
  unknowncrit_ed25519.pub
cp user_ed25519.pub sha1ca_ed25519.pub
ssh-keygen -q -s ca_rsa -t ssh-rsa -I sha1ca -n alice $V sha1ca_ed25519.pub
for c in *-cert.pub; do
  ssh-keygen -L -f "$c" > "${c%.pub}.txt"
  ssh-keygen -l -f "$c" > "${c%.pub}.fp-sha256"
  ssh-keygen -lv -f "$c" > "${c%.pub}.art-sha256"
done
rm -f user_ed25519.pub user_ecdsa256.pub user_rsa2048.pub host_ecdsa384.pub host_ed25519.pub \
  expired_ed25519.pub noprincipals_ed25519.pub unknowncrit_ed25519.pub sha1ca_ed25519.pub
