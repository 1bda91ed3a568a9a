#!/usr/bin/env bash
# The browser tests need Debian's chromium and a Korean font (fonts-nanum) for screenshots.
# Installs them when missing and running as root; otherwise says exactly what to install.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# grep without -q reads all of fc-list (with -q and pipefail, fc-list dies of SIGPIPE and the check fails)
fc-list 2>/dev/null | grep -i nanum >/dev/null || missing+=(fonts-nanum)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${missing[*]} (apt-get)"
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "브라우저 테스트에 필요한 패키지가 없습니다: ${missing[*]}"
  echo "  sudo apt-get install ${missing[*]}    (Debian/Ubuntu; missing system packages for the browser tests)"
  exit 1
fi
