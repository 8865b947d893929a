#!/usr/bin/env bash
# Re-fetches the pinned front-end assets from the npm registry (served by the app, never a CDN).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HTMX_VERSION=2.0.11
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "htmx.org@${HTMX_VERSION}" --silent >/dev/null && tar xzf "htmx.org-${HTMX_VERSION}.tgz")
mkdir -p "$here/htmx"
cp "$tmp/package/dist/htmx.min.js" "$tmp/package/LICENSE" "$here/htmx/"
echo "htmx ${HTMX_VERSION}" > "$here/htmx/VERSION"
