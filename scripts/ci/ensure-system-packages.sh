#!/usr/bin/env bash
# Installs the Debian packages the tests run for real, when they are missing.
# Each entry is "<command that proves it is installed> <package>"; apt-get runs once, for the missing ones.
set -euo pipefail

required=(
  "/usr/lib/postgresql/15/bin/postgres postgresql"
  "nats-server nats-server"
  "nginx nginx"
  "promtool prometheus"
  "prometheus-blackbox-exporter prometheus-blackbox-exporter"
  "chromium chromium"
  "shellcheck shellcheck"
  "dockerd docker.io"
  "debootstrap debootstrap"
)

missing=()
for entry in "${required[@]}"; do
  probe="${entry% *}"
  package="${entry#* }"
  if [[ "$probe" == /* ]]; then
    [[ -x "$probe" ]] || missing+=("$package")
  else
    command -v "$probe" >/dev/null 2>&1 || [[ -x "/usr/sbin/$probe" ]] || missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "system packages: all present"
  exit 0
fi

echo "system packages: installing ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "error: missing Debian packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system packages: installed ${missing[*]}"
