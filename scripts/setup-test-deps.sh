#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, only those that are missing:
#   redis-server, redis-cli, redis-benchmark  (the behaviour oracle and real tools)
#   chromium                                   (browser test of the /docs page)
#   postgresql (server binaries: initdb, pg_ctl) (the PostgreSQL snapshot store's tests run a
#                                                 throwaway cluster in a temp directory)
set -euo pipefail

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
command -v redis-benchmark >/dev/null 2>&1 || missing+=(redis-tools)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

# Deduplicate.
readarray -t pkgs < <(printf '%s\n' "${missing[@]}" | sort -u)
echo "setup: installing ${pkgs[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
