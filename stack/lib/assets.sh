# Front-end libraries served through CKAN's webassets (no CDN): fetched from the npm registry
# at a pinned version, checked against the registry's integrity hash (sha512, as npm's
# lockfiles do), unpacked into ckanext/govshare/assets/vendor/ with their licence.
# Sourced by ./stack.sh after common.sh; assets_install runs before CKAN starts.

NPM_REGISTRY=${GOVSHARE_NPM_REGISTRY:-https://registry.npmjs.org}
VENDOR_DIR=$ROOT/ckanext/govshare/assets/vendor

# Chart.js (MIT): the statistics pages' charts (ckanext/govshare/oversight/views.py)
CHARTJS_VERSION=4.5.1
CHARTJS_INTEGRITY=sha512-GIjfiT9dbmHRiYi6Nl2yFCq7kkwdkp1W/lp2J99rX0yo9tgJGn3lKQATztIjb5tVtevcBtIdICNWqlq5+E8/Pw==

# npm_fetch NAME VERSION INTEGRITY DEST FILE... : the package's FILEs (paths in the tarball,
# without "package/") into DEST, once per version
npm_fetch() {
  local name=$1 version=$2 integrity=$3 dest=$4; shift 4
  local stamp=$dest/.version tmp want got f
  want="$name@$version $integrity"
  if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    for f in "$@"; do [ -s "$dest/$(basename "$f")" ] || want=; done
    [ -n "$want" ] && { ok "$name $version ($dest)"; return 0; }
    want="$name@$version $integrity"
  fi
  command -v openssl >/dev/null || apt_install openssl
  tmp=$(mktemp -d)
  info "fetching $name $version from $NPM_REGISTRY"
  curl -fsSL --retry 3 -o "$tmp/pkg.tgz" "$NPM_REGISTRY/$name/-/$name-$version.tgz" \
    || { rm -rf "$tmp"; die "could not download $name $version from $NPM_REGISTRY" "check the network, or set GOVSHARE_NPM_REGISTRY to a mirror"; }
  got="sha512-$(openssl dgst -sha512 -binary "$tmp/pkg.tgz" | base64 | tr -d '\n')"
  if [ "$got" != "$integrity" ]; then
    rm -rf "$tmp"
    die "$name $version: the download does not match its pinned integrity ($got)" "do not use it; check the registry or mirror"
  fi
  tar -xzf "$tmp/pkg.tgz" -C "$tmp" || { rm -rf "$tmp"; die "could not unpack $name $version"; }
  mkdir -p "$dest"
  for f in "$@"; do
    [ -s "$tmp/package/$f" ] || { rm -rf "$tmp"; die "$name $version has no $f"; }
    # no source-map comment: the map is not shipped (the browser would ask for it)
    sed '/^\/\/# sourceMappingURL=/d' "$tmp/package/$f" >"$dest/$(basename "$f")"
  done
  echo "$want" >"$stamp"
  rm -rf "$tmp"
  ok "$name $version ($dest)"
}

assets_install() {
  npm_fetch chart.js "$CHARTJS_VERSION" "$CHARTJS_INTEGRITY" "$VENDOR_DIR/chartjs" \
    dist/chart.umd.min.js LICENSE.md
}
