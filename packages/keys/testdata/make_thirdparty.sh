#!/usr/bin/env bash
# Makes the key files of testdata/thirdparty/: private keys written by tools other than
# OpenSSH's ssh-keygen, the way people bring them (throwaway test keys only).
# Run from anywhere: bash packages/keys/testdata/make_thirdparty.sh
# Needs (Debian 12): putty-tools (puttygen 0.78), dropbear-bin (dropbearkey/dropbearconvert
# 2022.83), python3-cryptography (38), python3-paramiko (2.12), openssl 3.0, OpenSSH 9.2's
# ssh-keygen. The outputs are committed; this script documents them.
#
# thirdparty/keys.tsv lists every private key file, one a line:
#   FILE <TAB> KEY <TAB> PASSPHRASE ("-": none) <TAB> EXPECT
# KEY names the key the file holds: KEY.pub is its public line and KEY.fp the `ssh-keygen -l`
# line of that .pub (PuTTY keys also have KEY.fp-puttygen, the `puttygen -l` line). EXPECT is
# "ok" (Hush must load it, same fingerprint) or "3des" (DES-EDE3-CBC, which Hush refuses with
# the conversion command). Every non-PuTTY file is checked here to load in OpenSSH
# (`ssh-keygen -y`) to the same public key; every PuTTY file in puttygen (`puttygen -L`).
#
# putty/    puttygen: .ppk v3 (Argon2id, -i, -d) and v2, plain and encrypted; its exports
#           `-O private-openssh-new` (OpenSSH format, padded to 16 bytes with 1..16, plain and
#           aes256-ctr; comments of many lengths so that every padding length occurs) and
#           `-O private-openssh` (PEM: PKCS#1 / SEC1, whose EC scalar has a leading zero byte
#           when its top bit is set; encrypted, PuTTY uses DES-EDE3-CBC)
# dropbear/ dropbearkey + `dropbearconvert dropbear openssh` (OpenSSH format padded with 1..8)
# python/   cryptography and paramiko (see make_thirdparty.py): traditional PEM with
#           AES-256-CBC DEK-Info, PKCS#8, OpenSSH format; SEC1 keys with a zero byte before the
#           scalar (P-256: 33 bytes, P-384: 49, P-521: 67)
# openssl/  `openssl rsa|ec -aes128|-aes192|-aes256|-des3`: legacy encrypted PEM
set -euo pipefail
cd "$(dirname "$0")"
HERE=$(pwd)
rm -rf thirdparty
mkdir -p thirdparty/{putty,dropbear,python,openssl}
cd thirdparty
PASS="hush passphrase"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
printf '%s\n' "$PASS" >"$TMP/pass"
: >"$TMP/empty"
printf 'FILE\tKEY\tPASSPHRASE\tEXPECT\n' >keys.tsv

# list FILE KEY PASSPHRASE EXPECT: records a file and checks that OpenSSH reads it
list() {
  local file=$1 key=$2 pass=$3 expect=$4
  printf '%s\t%s\t%s\t%s\n' "$file" "$key" "$pass" "$expect" >>keys.tsv
  case "$file" in
  *.ppk) return ;;               # puttygen made them and read them (-L, -l)
  python/ed25519.pkcs8*) return ;; # OpenSSH 9.2 reads no Ed25519 PKCS#8
  esac
  chmod 600 "$file"
  local p=$pass
  [ "$p" = - ] && p=""
  local got want
  got=$(ssh-keygen -y -P "$p" -f "$file" | cut -d' ' -f1,2)
  want=$(cut -d' ' -f1,2 "$key.pub")
  [ "$got" = "$want" ] || {
    echo "ssh-keygen -y $file: $got, expected $want" >&2
    exit 1
  }
}

# fingerprints KEY: KEY.fp from the public line
fingerprints() {
  ssh-keygen -l -E sha256 -f "$1.pub" >"$1.fp"
}

# ---- PuTTY -------------------------------------------------------------------------------
putty() { # name, comment, puttygen type args...
  local short=$1 name=putty/$1 comment=$2
  shift 2
  puttygen -q "$@" -C "$comment" --new-passphrase "$TMP/empty" -o "$name.v3.ppk"
  puttygen "$name.v3.ppk" -L >"$name.pub"
  puttygen "$name.v3.ppk" -l -E sha256 >"$name.fp-puttygen"
  fingerprints "$name"
  list "$name.v3.ppk" "$name" - ok
  puttygen "$name.v3.ppk" -O private --reencrypt --ppk-param version=2 -o "$name.v2.ppk"
  list "$name.v2.ppk" "$name" - ok
  # encrypted v3: 2 passes of 8 MiB keep the tests quick; ed25519 also with puttygen's
  # defaults (8 MiB, passes for ~100 ms of C), Argon2i and Argon2d
  puttygen "$name.v3.ppk" -O private -P --new-passphrase "$TMP/pass" --ppk-param passes=2 \
    -o "$name.v3enc.ppk"
  list "$name.v3enc.ppk" "$name" "$PASS" ok
  puttygen "$name.v3.ppk" -O private -P --new-passphrase "$TMP/pass" --ppk-param version=2 \
    -o "$name.v2enc.ppk"
  list "$name.v2enc.ppk" "$name" "$PASS" ok
  puttygen "$name.v3.ppk" -O private-openssh-new -o "$name.openssh-new"
  list "$name.openssh-new" "$name" - ok
  puttygen "$name.v3.ppk" -O private-openssh-new --new-passphrase "$TMP/pass" \
    -o "$name.openssh-new-enc"
  list "$name.openssh-new-enc" "$name" "$PASS" ok
  if [ "$short" != ed25519 ]; then # (puttygen exports Ed25519 only in the new format)
    puttygen "$name.v3.ppk" -O private-openssh -o "$name.openssh-pem"
    list "$name.openssh-pem" "$name" - ok
    puttygen "$name.v3.ppk" -O private-openssh --new-passphrase "$TMP/pass" \
      -o "$name.openssh-pem-3des"
    list "$name.openssh-pem-3des" "$name" "$PASS" 3des
  fi
}

putty ed25519 "ed25519-key-20250101" -t ed25519
putty ecdsa384 "ecdsa-key-20250101" -t ecdsa -b 384
putty ecdsa521 "ecdsa-key-20250101" -t ecdsa -b 521
putty rsa2048 "rsa-key-20250101" -t rsa -b 2048

puttygen putty/ed25519.v3.ppk -O private -P --new-passphrase "$TMP/pass" \
  -o putty/ed25519.v3enc-default.ppk
list putty/ed25519.v3enc-default.ppk putty/ed25519 "$PASS" ok
for kdf in argon2i argon2d; do
  puttygen putty/ed25519.v3.ppk -O private -P --new-passphrase "$TMP/pass" \
    --ppk-param "kdf=$kdf,memory=1024,passes=3,parallelism=2" -o "putty/ed25519.v3enc-$kdf.ppk"
  list "putty/ed25519.v3enc-$kdf.ppk" putty/ed25519 "$PASS" ok
done

# A DSA key, which Hush does not support (not in keys.tsv: the tests expect a clear refusal).
puttygen -q -t dsa -b 1024 -C "dsa-key-20250101" --new-passphrase "$TMP/empty" \
  -o putty/dsa1024.v3.ppk

# Comments of every length 0..15 give every padding length 1..16 for an ed25519 key.
for n in $(seq 0 15); do
  comment=$(printf '%*s' "$n" '' | tr ' ' c)
  puttygen putty/ed25519.v3.ppk -C "$comment" -O private-openssh-new \
    -o "putty/ed25519.comment$n.openssh-new"
  list "putty/ed25519.comment$n.openssh-new" putty/ed25519 - ok
done

# PuTTY's PEM export puts a zero byte before an EC scalar whose top bit is set (a P-256 scalar
# of 33 bytes): make P-256 keys until one has it, and keep one without.
for i in $(seq 1 64); do
  puttygen -q -t ecdsa -b 256 -C "ecdsa-key-20250101" --new-passphrase "$TMP/empty" \
    -o "$TMP/p256.ppk"
  puttygen "$TMP/p256.ppk" -O private-openssh -o "$TMP/p256.pem"
  len=$(openssl asn1parse -in "$TMP/p256.pem" | awk 'NR == 3 { sub("l=", "", $4); print $4 }')
  if [ "$len" = 33 ] && [ ! -e putty/ecdsa256z.v3.ppk ]; then
    cp "$TMP/p256.ppk" putty/ecdsa256z.v3.ppk
  elif [ "$len" = 32 ] && [ ! -e putty/ecdsa256.v3.ppk ]; then
    cp "$TMP/p256.ppk" putty/ecdsa256.v3.ppk
  fi
  [ -e putty/ecdsa256z.v3.ppk ] && [ -e putty/ecdsa256.v3.ppk ] && break
done
for name in ecdsa256 ecdsa256z; do
  p=putty/$name
  puttygen "$p.v3.ppk" -L >"$p.pub"
  puttygen "$p.v3.ppk" -l -E sha256 >"$p.fp-puttygen"
  fingerprints "$p"
  list "$p.v3.ppk" "$p" - ok
  puttygen "$p.v3.ppk" -O private --reencrypt --ppk-param version=2 -o "$p.v2.ppk"
  list "$p.v2.ppk" "$p" - ok
  puttygen "$p.v3.ppk" -O private -P --new-passphrase "$TMP/pass" --ppk-param passes=2 \
    -o "$p.v3enc.ppk"
  list "$p.v3enc.ppk" "$p" "$PASS" ok
  puttygen "$p.v3.ppk" -O private -P --new-passphrase "$TMP/pass" --ppk-param version=2 \
    -o "$p.v2enc.ppk"
  list "$p.v2enc.ppk" "$p" "$PASS" ok
  puttygen "$p.v3.ppk" -O private-openssh -o "$p.openssh-pem"
  list "$p.openssh-pem" "$p" - ok
  puttygen "$p.v3.ppk" -O private-openssh-new -o "$p.openssh-new"
  list "$p.openssh-new" "$p" - ok
  puttygen "$p.v3.ppk" -O private-openssh --new-passphrase "$TMP/pass" -o "$p.openssh-pem-3des"
  list "$p.openssh-pem-3des" "$p" "$PASS" 3des
done
# The RSA key again with a few comment lengths (other paddings).
for n in 0 3 9 13; do
  comment=$(printf '%*s' "$n" '' | tr ' ' r)
  puttygen putty/rsa2048.v3.ppk -C "$comment" -O private-openssh-new \
    -o "putty/rsa2048.comment$n.openssh-new"
  list "putty/rsa2048.comment$n.openssh-new" putty/rsa2048 - ok
done

# ---- Dropbear ----------------------------------------------------------------------------
dropbear() { # name, dropbearkey args...
  local name=dropbear/$1
  shift
  dropbearkey "$@" -f "$TMP/db.dropbear" >/dev/null 2>&1
  dropbearconvert dropbear openssh "$TMP/db.dropbear" "$name" >/dev/null 2>&1
  rm -f "$TMP/db.dropbear"
  chmod 600 "$name"
  ssh-keygen -y -f "$name" >"$name.pub"
  fingerprints "$name"
  list "$name" "$name" - ok
}
dropbear ed25519 -t ed25519
dropbear rsa2048 -t rsa -s 2048
# Dropbear pads to 8 with 1..8 bytes: ECDSA keys whose section needs 8 made Hush refuse them.
# Make P-256 keys until one has 8 bytes of padding (the byte before "END" decodes to 08).
for i in $(seq 1 64); do
  dropbearkey -t ecdsa -s 256 -f "$TMP/e.dropbear" >/dev/null 2>&1
  dropbearconvert dropbear openssh "$TMP/e.dropbear" "$TMP/e.openssh" >/dev/null 2>&1
  rm -f "$TMP/e.dropbear"
  last=$(sed '1d;$d' "$TMP/e.openssh" | tr -d '\n' | base64 -d | tail -c 1 | od -An -tu1 | tr -d ' ')
  if [ "$last" = 8 ]; then
    cp "$TMP/e.openssh" dropbear/ecdsa256pad8
    break
  fi
done
chmod 600 dropbear/ecdsa256pad8
ssh-keygen -y -f dropbear/ecdsa256pad8 >dropbear/ecdsa256pad8.pub
fingerprints dropbear/ecdsa256pad8
list dropbear/ecdsa256pad8 dropbear/ecdsa256pad8 - ok
dropbear ecdsa384 -t ecdsa -s 384
dropbear ecdsa521 -t ecdsa -s 521

# ---- Python: cryptography and paramiko ---------------------------------------------------
/usr/bin/python3 "$HERE/make_thirdparty.py" python "$PASS" >>"$TMP/python.tsv"
while IFS=$'\t' read -r file key pass expect; do
  [ -e "$key.fp" ] || fingerprints "$key"
  list "$file" "$key" "$pass" "$expect"
done <"$TMP/python.tsv"
# OpenSSL itself accepts the zero-padded scalars (`openssl ec -check`)
for f in python/*.sec1-zero.pem; do openssl ec -check -noout -in "$f" 2>/dev/null; done

# ---- OpenSSL: legacy encrypted PEM ------------------------------------------------------
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TMP/rsa.pem" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$TMP/ec.pem" 2>/dev/null
openssl pkey -in "$TMP/rsa.pem" -traditional -out openssl/rsa2048.pem
openssl pkey -in "$TMP/ec.pem" -traditional -out openssl/ecdsa384.pem
for name in rsa2048 ecdsa384; do
  chmod 600 "openssl/$name.pem"
  ssh-keygen -y -f "openssl/$name.pem" >"openssl/$name.pub"
  fingerprints "openssl/$name"
  list "openssl/$name.pem" "openssl/$name" - ok
done
for c in aes128 aes192 aes256 des3; do
  expect=ok
  [ $c = des3 ] && expect=3des
  openssl rsa -in "$TMP/rsa.pem" -traditional -$c -passout "pass:$PASS" \
    -out "openssl/rsa2048.$c.pem" 2>/dev/null
  list "openssl/rsa2048.$c.pem" openssl/rsa2048 "$PASS" $expect
  openssl ec -in "$TMP/ec.pem" -$c -passout "pass:$PASS" -out "openssl/ecdsa384.$c.pem" 2>/dev/null
  list "openssl/ecdsa384.$c.pem" openssl/ecdsa384 "$PASS" $expect
done
echo "made $(($(wc -l <keys.tsv) - 1)) key files in $(pwd)"
