#!/bin/sh
# Regenerates the host keys, certificates and known_hosts files in this directory.
# Needs OpenSSH's ssh-keygen. Every key here is a throwaway test key.
#   sh packages/hostkeys/testdata/make.sh
set -eu
cd "$(dirname "$0")"
rm -f host_* ca_* known_hosts known_hosts_hashed

key() { ssh-keygen -q -t "$1" ${3:-} -N "" -C "$2" -f "$2"; }
key ed25519 host_ed25519_1
key ed25519 host_ed25519_2
key ed25519 host_ed25519_3
key ed25519 host_ed25519_4
key ecdsa host_ecdsa_1 "-b 256"
key ecdsa host_ecdsa_2 "-b 384"
key rsa host_rsa_1 "-b 2048"
key ed25519 ca_1
key ed25519 ca_2

# Host certificates for host_ed25519_4, signed by ca_1 (valid forever, expired, wrong
# principal) and by ca_2 (a CA that is revoked in known_hosts); and one for host_ed25519_3,
# whose own key is revoked.
cert() { # cert KEY NAME CA SERIAL VALIDITY PRINCIPALS
  ssh-keygen -q -s "$3" -h -I "$2" -n "$6" -V "$5" -z "$4" "$1.pub"
  mv "$1-cert.pub" "$1-$2.pub"
}
cert host_ed25519_4 cert_ok ca_1 1 always:forever server.example.org,cert.example.org
cert host_ed25519_4 cert_expired ca_1 2 20000101:20010101 server.example.org
cert host_ed25519_4 cert_principal ca_1 3 always:forever other.example.org
cert host_ed25519_4 cert_revoked_ca ca_2 4 always:forever server.example.org
cert host_ed25519_3 cert_ok ca_1 5 always:forever server.example.org

# The private keys are not needed by the tests.
rm -f host_ed25519_1 host_ed25519_2 host_ed25519_3 host_ed25519_4 host_ecdsa_1 host_ecdsa_2 host_rsa_1 ca_1 ca_2

# known_hosts from the template: @NAME@ becomes "type base64" of NAME.pub.
pub() { cut -d' ' -f1,2 "$1.pub"; }
sed -e "s|@host_ed25519_1@|$(pub host_ed25519_1)|g" \
    -e "s|@host_ed25519_2@|$(pub host_ed25519_2)|g" \
    -e "s|@host_ed25519_3@|$(pub host_ed25519_3)|g" \
    -e "s|@host_ecdsa_1@|$(pub host_ecdsa_1)|g" \
    -e "s|@host_ecdsa_2@|$(pub host_ecdsa_2)|g" \
    -e "s|@host_rsa_1@|$(pub host_rsa_1)|g" \
    -e "s|@ca_1@|$(pub ca_1)|g" \
    -e "s|@ca_2@|$(pub ca_2)|g" \
    known_hosts.in > known_hosts

# The valid part of that file hashed by OpenSSH (ssh-keygen -H refuses files with invalid
# lines; lines with wildcards stay as they are, host lists become one line per host).
sed '/^# invalid lines/,$d' known_hosts > known_hosts_hashed
ssh-keygen -q -H -f known_hosts_hashed >/dev/null 2>&1
rm -f known_hosts_hashed.old
