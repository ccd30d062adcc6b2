#!/usr/bin/env bash
# Installs what the tests and the demo need beyond npm: a real OCI registry, the image tools that
# build and copy test images, and debootstrap for a real Debian root filesystem. Safe to run twice.
set -euo pipefail

packages=(docker-registry skopeo umoci debootstrap zstd apache2-utils openssl ca-certificates rpm sqlite3
  unzip zip ruby ruby-rack ruby-rack-test libcommons-lang3-java libjackson2-core-java golang-go
  maven python3-packaging)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f '${db:Status-Status}' "$package" 2>/dev/null | grep -qx installed || missing+=("$package")
done

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

for tool in docker-registry skopeo umoci debootstrap zstd htpasswd openssl rpm sqlite3 unzip zip ruby go; do
  command -v "$tool" >/dev/null || { echo "setup: $tool is still missing" >&2; exit 1; }
done
echo "setup: system tools ready"
