#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine: installs what the tests need when it
# is missing (as root, or through sudo), then runs the Maven build with every test.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
# redis-cli creates the Redis Cluster of the cluster tests; sentinels run as redis-server --sentinel
command -v redis-cli >/dev/null 2>&1 || need+=(redis-tools)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v mvn >/dev/null 2>&1 || need+=(maven)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# the network-fault tests (reliability/*IT) build namespaces, links and firewall rules as root
command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || need+=(iproute2)
command -v nft >/dev/null 2>&1 || [ -x /usr/sbin/nft ] || need+=(nftables)
# kubectl (for the manifest tests) ships with these machines' image; Debian has no package for it
command -v kubectl >/dev/null 2>&1 || echo "test.sh: kubectl is missing: the deploy manifest tests will fail" >&2

if [ ${#need[@]} -gt 0 ]; then
  echo "test.sh: installing ${need[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${need[@]}"
  # the Debian packages start system services; the tests start their own on free ports
  for service in redis-server nginx; do
    $sudo systemctl stop "$service" >/dev/null 2>&1 || $sudo service "$service" stop >/dev/null 2>&1 || true
  done
fi

exec mvn -B -ntp verify "$@"
