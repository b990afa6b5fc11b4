#!/usr/bin/env bash
# Installs what dropgate needs to build and test on Debian 12 (run as root); quiet when all is there.
set -euo pipefail
pkgs=(build-essential cmake pkg-config
      libxml2-dev libcsv-dev libssh2-1-dev libcurl4-openssl-dev libssl-dev libsqlite3-dev
      libyaml-dev libjansson-dev libcmocka-dev
      libmicrohttpd-dev chromium  # the web console (dropgate serve) and its browser test
      libpq-dev postgresql        # the PostgreSQL store and its tests (a private server per run)
      openssh-server openssh-client vsftpd openssl curl sqlite3 valgrind procps jq systemd
      clang libclang-rt-14-dev)   # libFuzzer (tests/fuzz/); Debian 12's clang is 14
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
