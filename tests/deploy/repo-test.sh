#!/usr/bin/env bash
# The county's apt repository (./deploy.sh repo, repo-add), run by ./deploy.sh test on small stand-in packages of
# the same name (the real ones go through it in package-test.sh): apt itself reads the repository with a private
# state folder, trusts it only with the county's key, refuses a tampered index and another key's signature, and
# sees a newer version once it is published. Nothing on this machine's own apt configuration is touched.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() {
  echo "repo test: $*" >&2
  failures=$((failures + 1))
}

# A stand-in station-edge package: the name and version that matter here, a few bytes of contents.
stand_in() { # stand_in VERSION ARCH [MARK] -> path
  local tree=$work/build-$1-$2-${3:-x}
  mkdir -p "$tree/DEBIAN" "$tree/opt/station-edge"
  echo "${3:-stand-in} $1" >"$tree/opt/station-edge/VERSION"
  printf 'Package: station-edge\nVersion: %s\nArchitecture: %s\nMaintainer: test <t@example.org>\nDescription: stand-in\n' \
    "$1" "$2" >"$tree/DEBIAN/control"
  dpkg-deb --root-owner-group -Zxz -b "$tree" "$work/station-edge_$1_$2${3:+-$3}.deb" >/dev/null
  echo "$work/station-edge_$1_$2${3:+-$3}.deb"
}

repo=$work/repo key=$work/key
deploy() { "$ROOT/deploy.sh" "$@"; }

deploy repo --dir "$repo" --key-dir "$key" "$(stand_in 1.0 amd64)" "$(stand_in 1.0 arm64)" >"$work/out" 2>&1 \
  || { cat "$work/out" >&2; fail "deploy.sh repo failed"; }
for f in dists/stable/InRelease dists/stable/Release.gpg dists/stable/main/binary-amd64/Packages.gz \
  dists/stable/main/binary-arm64/Packages station-edge-county.gpg; do
  [ -s "$repo/$f" ] || fail "the repository has no $f"
done
[ "$(stat -c %a "$key")" = 700 ] || fail "the signing key's folder is $(stat -c %a "$key"), not 700"
gpgv --keyring "$repo/station-edge-county.gpg" "$repo/dists/stable/InRelease" 2>/dev/null \
  || fail "InRelease does not verify with the exported county key"
grep -q '^Version: 1.0$' "$repo/dists/stable/main/binary-arm64/Packages" || fail "the arm64 index does not list 1.0"
grep -q 'Architecture: arm64' "$repo/dists/stable/main/binary-amd64/Packages" && fail "the amd64 index lists an arm64 package"
gpg --show-keys --with-colons "$repo/station-edge-county.gpg" 2>/dev/null | grep -q '^sec' && fail "the published key holds a secret key"
fpr_first=$(gpg --show-keys --with-colons "$repo/station-edge-county.gpg" 2>/dev/null | awk -F: '/^fpr/ { print $10; exit }')

# Safe to run again with the same packages; the key stays the county's.
deploy repo --dir "$repo" --key-dir "$key" "$work/station-edge_1.0_amd64.deb" >"$work/out" 2>&1 \
  || { cat "$work/out" >&2; fail "a second deploy.sh repo with the same package failed"; }
expect_key=$(gpg --show-keys --with-colons "$repo/station-edge-county.gpg" 2>/dev/null | awk -F: '/^fpr/ { print $10; exit }')
[ "$expect_key" = "$fpr_first" ] || fail "a second run changed the signing key"

# Refused, each with one line naming why, and the repository left as it was.
refused() { # refused WHAT PATTERN ARGS...
  local what=$1 pattern=$2
  shift 2
  if "$ROOT/deploy.sh" "$@" >"$work/out" 2>&1; then fail "$what was accepted"; return; fi
  grep -q "$pattern" "$work/out" || fail "$what: the error does not say '$pattern': $(tail -1 "$work/out")"
}
refused "the same version with other contents" "already published with other contents" \
  repo --dir "$repo" --key-dir "$key" "$(stand_in 1.0 amd64 other)"
mkdir -p "$work/wrong/DEBIAN"
printf 'Package: something-else\nVersion: 1\nArchitecture: amd64\nMaintainer: t <t@example.org>\nDescription: x\n' >"$work/wrong/DEBIAN/control"
dpkg-deb --root-owner-group -b "$work/wrong" "$work/wrong.deb" >/dev/null
refused "another package" "not station-edge" repo --dir "$repo" --key-dir "$key" "$work/wrong.deb"
echo "not a package" >"$work/junk.deb"
refused "a file that is no package" "is not a Debian package" repo --dir "$repo" --key-dir "$key" "$work/junk.deb"
refused "an unknown option" "unknown option '--sign'" repo --sign "$repo"

# A station follows it: repo-add into a scratch root writes the key and a Signed-By source for this URL only.
station=$work/station
deploy repo-add "file://$repo" "$repo/station-edge-county.gpg" --root "$station" >"$work/out" 2>&1 \
  || { cat "$work/out" >&2; fail "repo-add failed"; }
sources=$station/etc/apt/sources.list.d/station-edge.sources
grep -q "^URIs: file://$repo$" "$sources" 2>/dev/null || fail "repo-add's sources file does not name the repository"
grep -q '^Signed-By: /usr/share/keyrings/station-edge-county.gpg$' "$sources" 2>/dev/null || fail "repo-add's source is not Signed-By the county's key"
cmp -s "$station/usr/share/keyrings/station-edge-county.gpg" "$repo/station-edge-county.gpg" || fail "repo-add did not install the county's key"
grep -q 'Origins-Pattern' "$station/etc/apt/apt.conf.d/52station-edge-unattended-upgrades" 2>/dev/null \
  || fail "repo-add did not let unattended-upgrades take station-edge from the repository"
refused "a plain http repository" "plain http" repo-add "http://county.example/apt" "$repo/station-edge-county.gpg" --root "$station"
refused "a key file that is no key" "not an OpenPGP public key" repo-add "file://$repo" "$work/junk.deb" --root "$station"
repo_gpg_secret=$work/secret.asc
gpg --homedir "$key" --batch --quiet --armor --export-secret-keys >"$repo_gpg_secret" 2>/dev/null
refused "a secret key handed to a station" "secret key" repo-add "file://$repo" "$repo_gpg_secret" --root "$station"

# apt itself, with a private state: the source as repo-add wrote it, the keyring where Signed-By points.
apt_for() { # apt_for URI KEYRING CMD... : apt-get/apt-cache against URI, trusting KEYRING only
  local uri=$1 keyring=$2
  shift 2
  mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/apt/parts"
  sed "s|^URIs: .*|URIs: $uri|; s|^Signed-By: .*|Signed-By: $keyring|" "$sources" >"$work/apt/parts/station-edge.sources"
  "$@" -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$work/apt/parts" \
    -o Dir::State::Lists="$work/apt/lists" -o Dir::Cache="$work/apt/cache" -o Dir::Etc::Trusted=/dev/null \
    -o Dir::Etc::TrustedParts=/dev/null -o APT::Sandbox::User="$(id -un)" -o Debug::NoLocking=1
}
county_key=$station/usr/share/keyrings/station-edge-county.gpg
update() { apt_for "${2:-file://$repo}" "$1" apt-get update -q >"$work/apt.log" 2>&1 && ! grep -qE '^(W|E):' "$work/apt.log"; }
candidate() { apt_for "file://$repo" "$county_key" apt-cache policy station-edge 2>/dev/null | awk '/Candidate:/ { print $2 }'; }

update "$county_key" || { cat "$work/apt.log" >&2; fail "apt-get update from the repository failed or warned"; }
[ "$(candidate)" = 1.0 ] || fail "apt sees station-edge '$(candidate)' in the repository, expected 1.0"

# A newer version published is what apt will upgrade to.
deploy repo --dir "$repo" --key-dir "$key" "$(stand_in 1.1 amd64)" >"$work/out" 2>&1 || { cat "$work/out" >&2; fail "adding 1.1 failed"; }
update "$county_key" || fail "apt-get update after 1.1 was published failed"
[ "$(candidate)" = 1.1 ] || fail "after 1.1 was published apt's candidate is '$(candidate)'"

# A repository signed by another key is refused.
rm -rf "$work/apt/lists"
deploy repo --dir "$work/other-repo" --key-dir "$work/other-key" "$work/station-edge_1.1_amd64.deb" >/dev/null 2>&1 \
  || fail "making a second repository failed"
update "$county_key" "file://$work/other-repo" && fail "apt accepted a repository signed by another key"
grep -q 'NO_PUBKEY\|not signed\|signatures couldn' "$work/apt.log" || fail "apt's refusal of another key does not say why: $(grep -E '^(W|E):' "$work/apt.log" | head -1)"

# A tampered index is refused although the signature on Release is good.
rm -rf "$work/apt/lists"
echo "Description: tampered" >>"$repo/dists/stable/main/binary-amd64/Packages"
gzip -9nc "$repo/dists/stable/main/binary-amd64/Packages" >"$repo/dists/stable/main/binary-amd64/Packages.gz"
update "$county_key" && fail "apt accepted a tampered Packages index"
grep -qi 'hash sum mismatch\|unexpected size' "$work/apt.log" || fail "apt's refusal of a tampered index does not say why: $(grep -E '^(W|E):' "$work/apt.log" | head -1)"
[ -z "$(candidate)" ] || [ "$(candidate)" = "(none)" ] || fail "apt offers station-edge '$(candidate)' from a tampered index"

[ "$failures" -eq 0 ] || exit 1
echo "repo test: passed (signed, re-run, refusals, repo-add, apt update and candidate, another key and a tampered index refused)"
