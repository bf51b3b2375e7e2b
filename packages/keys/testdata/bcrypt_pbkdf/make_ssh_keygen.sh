#!/usr/bin/env bash
# Makes the ssh-keygen vectors of bcrypt_pbkdf: one throwaway ed25519 key (key, key.pub)
# re-encrypted by `ssh-keygen -p -a ROUNDS -Z CIPHER -N PASS` at rounds and passphrases the
# formats/ fixtures (4 and 16 rounds, one passphrase) leave out. keys.tsv lists file, rounds,
# cipher (its key + IV length is bcrypt_pbkdf's output length) and passphrase; a key only
# decrypts if bcrypt_pbkdf matches OpenSSH's byte for byte.
# Run from anywhere: bash packages/keys/testdata/bcrypt_pbkdf/make_ssh_keygen.sh
# Made with OpenSSH_9.2p1 (Debian 12).
set -euo pipefail
cd "$(dirname "$0")"
rm -f key key.pub key.* keys.tsv
ssh-keygen -q -t ed25519 -N "" -C "hush-bcrypt" -f key
long=$(printf 'long passphrase %.0s' $(seq 1 12)) # 192 bytes: past SHA-512's block
n=0
add() { # rounds cipher passphrase
  n=$((n + 1))
  cp key "key.$n"
  ssh-keygen -q -p -a "$1" -Z "$2" -P "" -N "$3" -f "key.$n" > /dev/null
  printf 'key.%s\t%s\t%s\t%s\n' "$n" "$1" "$2" "$3" >> keys.tsv
}
add 1 aes256-ctr "p"
add 2 aes128-ctr "hush"
add 3 aes192-ctr "pässwörd 🔑"
add 5 aes256-gcm@openssh.com "$long"
add 7 chacha20-poly1305@openssh.com "seven rounds"
add 16 aes128-cbc "sixteen"
add 31 aes256-ctr "thirty-one"
add 64 aes256-ctr "sixty-four"
