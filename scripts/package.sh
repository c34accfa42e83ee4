#!/usr/bin/env bash
# Builds kubectl-coder's release archive for a target and writes the krew manifest for every
# archive in the output folder, with their sha256.
#
#   scripts/package.sh                      # host target: cargo build --release, dist/
#   scripts/package.sh --target aarch64-unknown-linux-gnu --bin-dir target/aarch64-unknown-linux-gnu/release
#   scripts/package.sh --manifest-only      # only (re)write dist/plugin.yaml from dist/*.tar.gz|zip
#
# Options:
#   --target TRIPLE   Rust target triple (default: the host's); decides os/arch of the archive
#   --bin-dir DIR     take the built binaries from DIR instead of running cargo build
#   --out DIR         where archives, sha256 files and plugin.yaml go (default: dist)
#   --tag vX.Y.Z      release tag (default: v + the version in Cargo.toml)
#   --repo OWNER/NAME GitHub repository the archives are released from
#   --manifest-only   do not build or package; write the manifest from the archives present
# Environment: GZIP_LEVEL (default 9), SOURCE_DATE_EPOCH (file times; default: the commit's)
#
# Archives: kubectl-coder_<tag>_<os>_<arch>.tar.gz (zip for windows), holding at the top level
# the plugin (kubectl-coder), the small completion launcher (kubectl_complete-coder, which runs
# `kubectl-coder __complete`), LICENSE, README.md, the man page (kubectl-coder.1) and the
# completion scripts from completions/. Each gets a .sha256 file.
# The manifest (<out>/plugin.yaml) lists one platform for each archive present, in krew's
# order linux/amd64, linux/arm64, darwin/amd64, darwin/arm64, windows/amd64.
set -euo pipefail
cd "$(dirname "$0")/.."

target=""
bin_dir=""
out="dist"
tag=""
repo="kubectl-coder/kubectl-coder"
manifest_only=false
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target="$2"; shift 2 ;;
    --bin-dir) bin_dir="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --tag) tag="$2"; shift 2 ;;
    --repo) repo="$2"; shift 2 ;;
    --manifest-only) manifest_only=true; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "package.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
[ -n "$version" ] || { echo "package.sh: no version in Cargo.toml" >&2; exit 1; }
tag="${tag:-v$version}"
if [ "$tag" != "v$version" ]; then
  echo "package.sh: tag $tag does not match Cargo.toml's version $version" >&2
  exit 1
fi
mkdir -p "$out"

sha256() {
  if command -v sha256sum >/dev/null; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

# os and arch (krew's GOOS/GOARCH names) of a Rust target triple.
platform_of() {
  case "$1" in
    x86_64-unknown-linux-*) echo "linux amd64" ;;
    aarch64-unknown-linux-*) echo "linux arm64" ;;
    x86_64-apple-darwin) echo "darwin amd64" ;;
    aarch64-apple-darwin) echo "darwin arm64" ;;
    x86_64-pc-windows-*) echo "windows amd64" ;;
    *) echo "package.sh: no krew platform for target $1" >&2; return 1 ;;
  esac
}

archive_name() { # os arch
  local ext="tar.gz"
  [ "$1" = windows ] && ext="zip"
  echo "kubectl-coder_${tag}_$1_$2.$ext"
}

package() {
  if [ -z "$target" ]; then
    target=$(rustc -vV | sed -n 's/^host: //p')
  fi
  local os arch exe="" stage archive
  read -r os arch < <(platform_of "$target")
  [ "$os" = windows ] && exe=".exe"
  if [ -z "$bin_dir" ]; then
    cargo build --release --locked --bins --target "$target"
    bin_dir="target/$target/release"
  fi
  stage=$(mktemp -d)
  trap 'rm -rf "$stage"' RETURN
  for bin in kubectl-coder kubectl_complete-coder; do
    install -m 0755 "$bin_dir/$bin$exe" "$stage/$bin$exe"
  done
  install -m 0644 LICENSE README.md man/kubectl-coder.1 completions/* "$stage/"
  archive="$out/$(archive_name "$os" "$arch")"
  rm -f "$archive"
  # Reproducible: fixed order, owner and time (the commit's, when there is one).
  local mtime="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}"
  if [ "$os" = windows ]; then
    (cd "$stage" && find . -type f -exec touch -d "@$mtime" {} + &&
      find . -type f | sed 's|^\./||' | LC_ALL=C sort | zip -q -X -"${GZIP_LEVEL:-9}" -@ -) >"$archive"
  else
    # shellcheck disable=SC2046 # the staged names have no spaces
    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" \
      -C "$stage" -cf - $(cd "$stage" && LC_ALL=C ls) | gzip -"${GZIP_LEVEL:-9}"n >"$archive"
  fi
  echo "$(sha256 "$archive")  $(basename "$archive")" >"$archive.sha256"
  echo "wrote $archive ($(cut -d' ' -f1 "$archive.sha256"))"
}

platform_entry() { # os arch sha256
  local os="$1" arch="$2" sum="$3" exe=""
  [ "$os" = windows ] && exe=".exe"
  cat <<YAML
  - selector:
      matchLabels:
        os: $os
        arch: $arch
    uri: https://github.com/$repo/releases/download/$tag/$(archive_name "$os" "$arch")
    sha256: "$sum"
    bin: kubectl-coder$exe
YAML
}

manifest() {
  local entries="" os arch archive
  for pair in "linux amd64" "linux arm64" "darwin amd64" "darwin arm64" "windows amd64"; do
    read -r os arch <<<"$pair"
    archive="$out/$(archive_name "$os" "$arch")"
    [ -f "$archive" ] || continue
    entries+="$(platform_entry "$os" "$arch" "$(sha256 "$archive")")"$'\n'
  done
  if [ -z "$entries" ]; then
    echo "package.sh: no archive for $tag in $out" >&2
    exit 1
  fi
  {
    cat <<YAML
apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: coder
spec:
  version: $tag
  homepage: https://github.com/$repo
YAML
    sed -n '/^  shortDescription:/,/^  platforms:/p' plugin.yaml
    printf '%s' "$entries"
  } >"$out/plugin.yaml"
  echo "wrote $out/plugin.yaml"
}

if ! $manifest_only; then
  package
fi
manifest
