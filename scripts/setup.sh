#!/usr/bin/env bash
# Installs what the tests and the demo need beyond npm: a real OCI registry, the image tools that
# build and copy test images, debootstrap for a real Debian root filesystem, and Java for DynamoDB
# Local. Safe to run twice.
set -euo pipefail

packages=(docker-registry skopeo umoci debootstrap zstd apache2-utils openssl ca-certificates rpm sqlite3
  unzip zip ruby ruby-rack ruby-rack-test libcommons-lang3-java libjackson2-core-java golang-go
  maven python3-packaging openjdk-17-jre-headless chromium)
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

for tool in docker-registry skopeo umoci debootstrap zstd htpasswd openssl rpm sqlite3 unzip zip ruby go java chromium; do
  command -v "$tool" >/dev/null || { echo "setup: $tool is still missing" >&2; exit 1; }
done
# moto_server and cfn-lint come from the machine's Python (moto 5.2.1, cfn-lint 1.51.0); PyPI is not
# reachable from here, so they are checked, not installed.
for tool in moto_server cfn-lint; do
  command -v "$tool" >/dev/null || { echo "setup: $tool is missing: install it with pip (moto[server]==5.2.1, cfn-lint==1.51.0)" >&2; exit 1; }
done
echo "setup: system tools ready"
