#!/usr/bin/env bash
# ./deploy.sh --help, -h and help print the usage on stdout and exit 0; an unknown command prints it on stderr and
# exits 2. Run by ./deploy.sh test; takes a deploy.sh to check (default: this repository's).
set -uo pipefail
deploy=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/deploy.sh}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
for ask in --help -h help; do
  "$deploy" "$ask" >"$work/out" 2>"$work/err"
  rc=$?
  [ "$rc" -eq 0 ] || { echo "help test: deploy.sh $ask exited $rc, expected 0" >&2; failures=$((failures + 1)); }
  grep -q '^usage: ./deploy.sh' "$work/out" && grep -q 'install' "$work/out" \
    || { echo "help test: deploy.sh $ask did not print the usage on stdout" >&2; failures=$((failures + 1)); }
  [ ! -s "$work/err" ] || { echo "help test: deploy.sh $ask wrote to stderr: $(cat "$work/err")" >&2; failures=$((failures + 1)); }
done
"$deploy" no-such-command >"$work/out" 2>"$work/err"
rc=$?
[ "$rc" -eq 2 ] || { echo "help test: an unknown command exited $rc, expected 2" >&2; failures=$((failures + 1)); }
[ ! -s "$work/out" ] && grep -q '^usage: ./deploy.sh' "$work/err" \
  || { echo "help test: an unknown command must print the usage on stderr only" >&2; failures=$((failures + 1)); }
[ "$failures" -eq 0 ] || exit 1
echo "help test: passed"
