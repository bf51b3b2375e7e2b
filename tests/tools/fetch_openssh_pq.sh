#!/usr/bin/env bash
# Fetches OpenSSH 10 (which has mlkem768x25519-sha256) from Debian 13's packages into a private
# directory, for the post-quantum interop tests: Debian 12's OpenSSH 9.2 lacks that key exchange.
#
# Nothing is installed on the system: the .deb files are unpacked with `dpkg-deb -x`, and small
# wrappers in <dir>/bin run each program with Debian 13's own dynamic loader and glibc
# (`ld-linux-x86-64.so.2 --library-path …`), falling back to the system's libraries for the rest.
#
# Usage: bash tests/tools/fetch_openssh_pq.sh [dir]   (default: $HUSH_OPENSSH_PQ or
#        ~/.cache/hush/openssh-pq). Prints the directory; <dir>/bin has ssh, sshd, sshd-session,
#        sshd-auth. The tests find it the same way (tests/helpers/openssh_pq.ts).
set -euo pipefail

dir=${1:-${HUSH_OPENSSH_PQ:-${XDG_CACHE_HOME:-$HOME/.cache}/hush/openssh-pq}}
bin=$dir/bin

works() {
  [ -x "$bin/ssh" ] && [ -x "$bin/sshd" ] &&
    "$bin/ssh" -Q kex 2>/dev/null | grep -qx 'mlkem768x25519-sha256' &&
    "$bin/sshd" -V >/dev/null 2>&1
}
if works; then
  echo "$dir"
  exit 0
fi

if [ "$(uname -m)" != x86_64 ]; then
  echo "fetch_openssh_pq: only x86_64 is supported (this is $(uname -m))" >&2
  exit 1
fi
for tool in curl xz dpkg-deb; do
  command -v "$tool" >/dev/null || { echo "fetch_openssh_pq: $tool is needed" >&2; exit 1; }
done

mirror=http://deb.debian.org/debian
suite=trixie
packages=(openssh-client openssh-server libc6 libssl3t64 libwtmpdb0 libzstd1)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fetch() { curl -fsSL --retry 3 --retry-delay 2 -o "$2" "$1"; }

fetch "$mirror/dists/$suite/main/binary-amd64/Packages.xz" "$work/Packages.xz"
xz -dc "$work/Packages.xz" >"$work/Packages"

rm -rf "$dir.new"
mkdir -p "$dir.new/root" "$dir.new/bin"
for package in "${packages[@]}"; do
  file=$(awk -v want="$package" '
    $1 == "Package:" { name = $2 }
    $1 == "Filename:" && name == want { print $2; exit }
  ' "$work/Packages")
  [ -n "$file" ] || { echo "fetch_openssh_pq: $package is not in $suite" >&2; exit 1; }
  fetch "$mirror/$file" "$work/$package.deb"
  dpkg-deb -x "$work/$package.deb" "$dir.new/root"
done

root=$dir/root
libs=$root/usr/lib/x86_64-linux-gnu
wrap() { # name, path inside the package root
  cat >"$dir.new/bin/$1" <<EOF
#!/bin/sh
exec "$libs/ld-linux-x86-64.so.2" --library-path "$libs:/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu" "$root/$2" "\$@"
EOF
  chmod +x "$dir.new/bin/$1"
}
wrap ssh usr/bin/ssh
wrap ssh-keygen usr/bin/ssh-keygen
wrap sshd usr/sbin/sshd
wrap sshd-session usr/lib/openssh/sshd-session
wrap sshd-auth usr/lib/openssh/sshd-auth

rm -rf "$dir"
mv "$dir.new" "$dir"
if ! works; then
  echo "fetch_openssh_pq: the unpacked OpenSSH does not run here" >&2
  exit 1
fi
echo "$dir"
