#!/usr/bin/env bash
# Refresh static/vendor from the npm registry (build time only; pages never use a CDN).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp package.json "$tmp/"
(cd "$tmp" && npm install --no-audit --no-fund --ignore-scripts >/dev/null)
rm -rf static/vendor && mkdir -p static/vendor/bootstrap static/vendor/bootstrap-icons/fonts static/vendor/htmx
cp "$tmp"/node_modules/bootstrap/dist/css/bootstrap.min.css* static/vendor/bootstrap/
cp "$tmp"/node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* static/vendor/bootstrap/
cp "$tmp"/node_modules/bootstrap/LICENSE static/vendor/bootstrap/
cp "$tmp"/node_modules/bootstrap-icons/font/bootstrap-icons.min.css static/vendor/bootstrap-icons/
cp "$tmp"/node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff* static/vendor/bootstrap-icons/fonts/
cp "$tmp"/node_modules/bootstrap-icons/LICENSE static/vendor/bootstrap-icons/
cp "$tmp"/node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
cp "$tmp"/node_modules/htmx.org/LICENSE static/vendor/htmx/
for pkg in bootstrap bootstrap-icons htmx.org; do
  echo "$pkg $(node -p "require('$tmp/node_modules/$pkg/package.json').version")"
done > static/vendor/VERSIONS.txt
cat static/vendor/VERSIONS.txt
