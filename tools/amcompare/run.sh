#!/usr/bin/env bash
# The one command for the side-by-side with Prometheus Alertmanager (see docs/benchmarks.md):
#   tools/amcompare/run.sh [--seed 16] [--compression 60]
# Fetches Debian's prometheus-alertmanager once into .local/amcompare/ (apt-get download + dpkg -x: no install, no
# root needed when the apt lists are there), then runs the seeded storm through `opsctl local --clock event` and
# through Alertmanager on 127.0.0.1, which it starts and stops, and prints the table. About 3 minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
cache=.local/amcompare
binary="$cache/pkg/usr/bin/prometheus-alertmanager"
if [[ ! -x "$binary" ]]; then
  mkdir -p "$cache/deb"
  ( cd "$cache/deb"
    if ! apt-get download prometheus-alertmanager 2>/dev/null; then
      # A fresh machine may have no package lists yet: refresh them (root), or keep private ones under .local (non-root).
      if [[ $(id -u) == 0 ]]; then
        apt-get update -qq
        apt-get download prometheus-alertmanager
      else
        lists="$PWD/../apt-lists"; mkdir -p "$lists/partial"
        opts=(-o "Dir::State::Lists=$lists" -o "Dir::Cache=$PWD/../apt-cache" -o Debug::NoLocking=1)
        mkdir -p "$PWD/../apt-cache/archives/partial"
        apt-get "${opts[@]}" update -qq
        apt-get "${opts[@]}" download prometheus-alertmanager
      fi
    fi ) || { echo "amcompare: cannot get Debian's prometheus-alertmanager; apt's reason is above" >&2; exit 1; }
  deb=$(ls "$cache"/deb/prometheus-alertmanager_*.deb | tail -1)
  rm -rf "$cache/pkg" && dpkg -x "$deb" "$cache/pkg"
fi
# Debian's build reads its templates from /usr/share/prometheus/alertmanager (default.tmpl), which only an install
# creates. Instead of installing, the extracted binary is pointed at the extracted files: the path is replaced, byte for
# byte, by a symlink's path of the same length (34 characters) in /tmp.
assets="/usr/share/prometheus/alertmanager"
link="/tmp/amcompare-assets-$(realpath "$cache" | sha256sum | cut -c1-12)"
ln -sfn "$(realpath "$cache/pkg$assets")" "$link"
patched="$cache/prometheus-alertmanager"
if [[ ! -x "$patched" || "$binary" -nt "$patched" ]] || ! grep -q "$link" "$patched"; then
  (( ${#link} == ${#assets} )) || { echo "amcompare: $link is not ${#assets} characters" >&2; exit 1; }
  LC_ALL=C sed "s|$assets|$link|g" "$binary" > "$patched.tmp" && chmod +x "$patched.tmp" && mv "$patched.tmp" "$patched"
fi
binary="$patched"
"$binary" --version 2>&1 | head -1 >&2
dotnet run -c Release --project tools/amcompare -- --alertmanager "$binary" "$@"
