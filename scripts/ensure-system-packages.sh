#!/usr/bin/env bash
# Makes sure the commands the tests run are installed (run by `npm test` before anything else).
# Missing ones are installed from Debian's archive when we are root and apt-get is there; otherwise this prints
# the exact command to run and exits non-zero, before any test starts.
set -euo pipefail

# command -> the Debian package that provides it ("-": not in Debian's archive, installed by hand).
# One line per command; add a line to require another.
REQUIRED=(
  "iptables-legacy iptables"
  "iptables-nft iptables"
  "ipset ipset"
  "ip iproute2"
  "nft nftables"
  "dnsmasq dnsmasq-base"
  "nsenter util-linux"
  "ping iputils-ping"
  "nslookup dnsutils"
  "curl curl"
  "chromium chromium"
  "openssl openssl"
  "kubectl -"
)

# How to get a command Debian does not ship.
manual_install() {
  case "$1" in
    kubectl) echo "kubectl (v1.28 or newer; the deploy/ tests render deploy/ with 'kubectl kustomize') is not in Debian's archive: install it from the Kubernetes project (https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/) and put it on PATH" ;;
    *) echo "$1 is not in Debian's archive: install it by hand and put it on PATH" ;;
  esac
}

missing_commands() {
  local entry cmd
  for entry in "${REQUIRED[@]}"; do
    cmd="${entry%% *}"
    command -v "$cmd" >/dev/null 2>&1 || echo "$cmd"
  done
}

package_of() {
  local entry
  for entry in "${REQUIRED[@]}"; do
    if [ "${entry%% *}" = "$1" ]; then
      echo "${entry##* }"
      return
    fi
  done
}

mapfile -t missing < <(missing_commands)
[ "${#missing[@]}" -eq 0 ] && exit 0

packages=()
manual=()
for cmd in "${missing[@]}"; do
  pkg="$(package_of "$cmd")"
  if [ "$pkg" = "-" ]; then
    manual+=("$cmd")
  elif [[ " ${packages[*]-} " != *" $pkg "* ]]; then
    packages+=("$pkg")
  fi
done

if [ "${#packages[@]}" -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "tests need: ${missing[*]}; installing Debian packages: ${packages[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
    mapfile -t still < <(missing_commands)
    for cmd in "${still[@]}"; do
      [ "$(package_of "$cmd")" = "-" ] || { echo "error: $cmd is still missing after installing ${packages[*]}" >&2; exit 1; }
    done
  else
    echo "error: the tests need ${missing[*]}; install them first with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages[*]}" >&2
    [ "${#manual[@]}" -eq 0 ] || for cmd in "${manual[@]}"; do echo "error: $(manual_install "$cmd")" >&2; done
    exit 1
  fi
fi

if [ "${#manual[@]}" -gt 0 ]; then
  for cmd in "${manual[@]}"; do echo "error: $(manual_install "$cmd")" >&2; done
  exit 1
fi
