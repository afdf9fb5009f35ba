# shellcheck shell=bash
# Sourced by deploy.sh:
#   ./deploy.sh repo [--dir DIR] [--key-dir DIR] [DEB...]
#       the county's apt repository: the given packages (default: every out/packages/station-edge_*.deb) added to
#       DIR's pool, the indexes made again with apt-ftparchive (apt-utils) and signed with gpg (gnupg), both from
#       Debian. DIR is what the county serves over https (any static web server) or copies to a USB stick.
#   ./deploy.sh repo-add URL KEYFILE [--root DIR]
#       on a station: apt trusts KEYFILE for URL only (Signed-By), and unattended-upgrades takes station-edge
#       from it, so every station follows the county's repository with nothing else to do.
#
# The signing key is made once, without a passphrase so the county's build machine can sign unattended, in
# --key-dir (default out/repo-key, 0700). Whoever holds that folder can publish a program that every station runs as
# its own user: keep it on the county's build machine only, never on a station or in the repository.

REPO_SUITE=stable
REPO_COMPONENT=main
REPO_ORIGIN=StationEdge
REPO_LABEL="StationEdge county repository"
REPO_KEYRING_NAME=station-edge-county.gpg
REPO_SOURCES=/etc/apt/sources.list.d/station-edge.sources
REPO_UPGRADES=/etc/apt/apt.conf.d/52station-edge-unattended-upgrades

repo_gpg() { gpg --homedir "$REPO_KEY_DIR" --batch --quiet --no-tty "$@"; }

# The key's fingerprint, made on first use.
repo_signing_key() {
  install -d -m 0700 "$REPO_KEY_DIR"
  chmod 0700 "$REPO_KEY_DIR"
  if ! repo_gpg --list-secret-keys --with-colons 2>/dev/null | grep -q '^sec'; then
    repo_gpg --passphrase '' --quick-generate-key "$REPO_LABEL <repo@stationedge.invalid>" ed25519 sign never \
      || die "repo: gpg could not make the signing key in $REPO_KEY_DIR"
    say "repo: made the signing key in $REPO_KEY_DIR (keep this folder on the county's build machine only)"
  fi
  repo_gpg --list-secret-keys --with-colons | awk -F: '/^fpr/ { print $10; exit }'
}

# repo_add_to_pool DIR DEB: the package copied into the pool under its own name; the same name with other bytes is
# refused, since stations that fetched the first would see a hash mismatch and never upgrade.
repo_add_to_pool() {
  local dir=$1 deb=$2 name pkg version arch pool target
  [ -f "$deb" ] || die "repo: $deb is not a file"
  pkg=$(dpkg-deb -f "$deb" Package 2>/dev/null) || die "repo: $deb is not a Debian package"
  [ "$pkg" = "$PACKAGE_NAME" ] || die "repo: $deb is package '$pkg', not $PACKAGE_NAME"
  version=$(dpkg-deb -f "$deb" Version)
  arch=$(dpkg-deb -f "$deb" Architecture)
  case "$arch" in amd64 | arm64) ;; *) die "repo: $deb is for architecture '$arch' (amd64 or arm64 only)" ;; esac
  name=${pkg}_${version}_${arch}.deb
  pool=$dir/pool/$REPO_COMPONENT/${pkg:0:1}/$pkg
  target=$pool/$name
  mkdir -p "$pool"
  if [ -e "$target" ]; then
    cmp -s "$deb" "$target" \
      || die "repo: $name is already published with other contents; build it with a new --version instead"
    return 0
  fi
  install -m 0644 "$deb" "$target.part"
  mv "$target.part" "$target"
  echo "repo: added $name" >&2
}

repo_index() {
  local dir=$1 fpr=$2 arch dists=$1/dists/$REPO_SUITE
  mkdir -p "$dists"
  for arch in amd64 arm64; do
    local bin=$dists/$REPO_COMPONENT/binary-$arch
    mkdir -p "$bin"
    # Paths in Packages are relative to DIR, as apt asks for them.
    (cd "$dir" && apt-ftparchive --arch "$arch" packages "pool/$REPO_COMPONENT") >"$bin/Packages.part" \
      || die "repo: apt-ftparchive packages failed for $arch"
    mv "$bin/Packages.part" "$bin/Packages"
    gzip -9nc "$bin/Packages" >"$bin/Packages.gz"
  done
  # Written outside dists and with the old signatures gone, so the new Release lists only the indexes.
  rm -f "$dists/Release" "$dists/InRelease" "$dists/Release.gpg"
  (cd "$dists" && apt-ftparchive \
    -o "APT::FTPArchive::Release::Origin=$REPO_ORIGIN" \
    -o "APT::FTPArchive::Release::Label=$REPO_LABEL" \
    -o "APT::FTPArchive::Release::Suite=$REPO_SUITE" \
    -o "APT::FTPArchive::Release::Codename=$REPO_SUITE" \
    -o "APT::FTPArchive::Release::Architectures=amd64 arm64" \
    -o "APT::FTPArchive::Release::Components=$REPO_COMPONENT" \
    -o "APT::FTPArchive::Release::Description=StationEdge for the county's stations" \
    release .) >"$dir/.Release.part" || die "repo: apt-ftparchive release failed"
  mv "$dir/.Release.part" "$dists/Release"
  repo_gpg --local-user "$fpr" --digest-algo SHA512 --clearsign -o "$dists/InRelease" "$dists/Release" \
    || die "repo: gpg could not sign InRelease"
  repo_gpg --local-user "$fpr" --digest-algo SHA512 --detach-sign --armor -o "$dists/Release.gpg" "$dists/Release" \
    || die "repo: gpg could not sign Release.gpg"
  # The public key, binary as Signed-By expects; handed to each station out of band (the installer's USB stick).
  repo_gpg --export "$fpr" >"$dir/$REPO_KEYRING_NAME.part" && mv "$dir/$REPO_KEYRING_NAME.part" "$dir/$REPO_KEYRING_NAME"
  chmod -R a+rX "$dir"
}

repo_station() {
  local dir=$OUT/repo debs=()
  REPO_KEY_DIR=$OUT/repo-key
  while [ $# -gt 0 ]; do
    case "$1" in
      --dir) [ $# -ge 2 ] || die "repo: --dir needs a folder"; dir=$2; shift 2 ;;
      --key-dir) [ $# -ge 2 ] || die "repo: --key-dir needs a folder"; REPO_KEY_DIR=$2; shift 2 ;;
      -h | --help) echo "usage: ./deploy.sh repo [--dir DIR] [--key-dir DIR] [DEB...]"; return 0 ;;
      -*) die "repo: unknown option '$1' (--dir, --key-dir)" ;;
      *) debs+=("$1"); shift ;;
    esac
  done
  need_apt apt-utils gnupg
  if [ ${#debs[@]} -eq 0 ]; then
    shopt -s nullglob
    debs=("$OUT/packages/${PACKAGE_NAME}"_*.deb)
    shopt -u nullglob
    [ ${#debs[@]} -gt 0 ] || die "repo: no packages in $OUT/packages (./deploy.sh package --arch arm64 makes one)"
  fi
  local fpr deb
  fpr=$(repo_signing_key)
  [ -n "$fpr" ] || die "repo: no signing key in $REPO_KEY_DIR"
  mkdir -p "$dir"
  for deb in "${debs[@]}"; do repo_add_to_pool "$dir" "$deb"; done
  repo_index "$dir" "$fpr"
  local count
  count=$(find "$dir/pool" -name '*.deb' | wc -l)
  echo "repo: $dir signed by $fpr, $count packages; on a station: ./deploy.sh repo-add URL $dir/$REPO_KEYRING_NAME"
}

# repo-add: what a station needs to follow the county's repository. Safe to run again (files are rewritten whole).
repo_add_station() {
  local url="" key="" dest=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --root) [ $# -ge 2 ] || die "repo-add: --root needs a folder"; dest=$2; shift 2 ;;
      -h | --help) echo "usage: ${REPO_ADD_COMMAND:-./deploy.sh repo-add} URL KEYFILE [--root DIR]"; return 0 ;;
      -*) die "repo-add: unknown option '$1' (--root)" ;;
      *)
        if [ -z "$url" ]; then url=$1; elif [ -z "$key" ]; then key=$1; else die "repo-add: too many arguments: '$1'"; fi
        shift ;;
    esac
  done
  [ -n "$url" ] && [ -n "$key" ] || die "repo-add: usage: ${REPO_ADD_COMMAND:-./deploy.sh repo-add} URL KEYFILE [--root DIR]"
  case "$url" in
    https://* | file:///*) ;;
    http://*) die "repo-add: $url is plain http; the signature protects the packages, but use https so who upgrades when is not in clear" ;;
    *) die "repo-add: $url is not an https:// or file:/// address" ;;
  esac
  [ -f "$key" ] || die "repo-add: the county's key $key is not a file"
  local shown
  shown=$(gpg --show-keys --with-colons "$key" 2>/dev/null || true)
  ! grep -q '^sec' <<<"$shown" || die "repo-add: $key holds a secret key: give stations the public key only"
  grep -q '^pub' <<<"$shown" || die "repo-add: $key is not an OpenPGP public key"
  local keyring=$dest/usr/share/keyrings/$REPO_KEYRING_NAME
  as_root install -D -m 0644 "$key" "$keyring"
  local tmp
  tmp=$(mktemp)
  cat >"$tmp" <<EOF
# The county's StationEdge repository (./deploy.sh repo-add): signed by the county's key only.
Types: deb
URIs: $url
Suites: $REPO_SUITE
Components: $REPO_COMPONENT
Signed-By: /usr/share/keyrings/$REPO_KEYRING_NAME
EOF
  as_root install -D -m 0644 "$tmp" "$dest$REPO_SOURCES"
  cat >"$tmp" <<EOF
// The county's StationEdge repository (./deploy.sh repo-add): unattended-upgrades installs its new versions too.
Unattended-Upgrade::Origins-Pattern { "origin=$REPO_ORIGIN,label=$REPO_LABEL"; };
EOF
  as_root install -D -m 0644 "$tmp" "$dest$REPO_UPGRADES"
  rm -f "$tmp"
  say "repo-add: $url added (key /usr/share/keyrings/$REPO_KEYRING_NAME); apt-get update && apt-get install $PACKAGE_NAME"
}

# The same repo-add as a program in the package (/opt/station-edge/repo-add), for a station installed from a .deb
# that has no source tree: one function, so the two cannot drift apart.
write_repo_add_program() {
  cat <<'EOF'
#!/bin/bash
# sudo /opt/station-edge/repo-add URL KEYFILE: this station follows the county's signed apt repository.
set -euo pipefail
say() { echo "$*" >&2; }
die() { echo "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
REPO_ADD_COMMAND=/opt/station-edge/repo-add
EOF
  declare -p PACKAGE_NAME REPO_SUITE REPO_COMPONENT REPO_ORIGIN REPO_LABEL REPO_KEYRING_NAME REPO_SOURCES REPO_UPGRADES
  declare -f repo_add_station
  echo 'repo_add_station "$@"'
}
