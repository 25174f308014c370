#!/usr/bin/env bash
# Install the reference peers and the smoke client from their lockfiles; safe to run again.
#   bench/peers/setup.sh [--force]     --force reinstalls the npm packages even if they look current
#
# npm ci runs only when a package-lock.json changed since the last install here (a stamp in node_modules
# records its hash): npm ci always deletes node_modules first, and Bun's package alone is ~100 MB.
# The Netty peer is rebuilt with Maven every time; that is quick and Maven skips what is up to date.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
force=false
[[ ${1:-} == --force ]] && force=true

for tool in node npm java mvn; do
  command -v "$tool" >/dev/null || { echo "setup: '$tool' is not on PATH" >&2; exit 2; }
done
if [[ $(uname -sm) != "Linux x86_64" ]]; then
  echo "setup: the Netty peer ships the linux-x86_64 epoll library only; this is $(uname -sm)" >&2
  exit 2
fi

npm_install() {
  local dir=$1 stamp=$1/node_modules/.throng-setup-stamp want name
  name=bench/peers${dir#"$here"}
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if ! $force && [[ -f $stamp && $(<"$stamp") == "$want" ]]; then
    echo "setup: $name is current"
    return
  fi
  echo "setup: npm ci in $name"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
}

npm_install "$here"          # ws for smoke-client.js
npm_install "$here/node-ws"
npm_install "$here/bun"
# Bun's npm package puts the real binary in place from a postinstall script; prove it did.
echo "setup: bun $("$here/bun/node_modules/.bin/bun" --version)"
# The fan-out peers: Soketi has its own packages; bun-pusher and node-ws-pusher use the two above.
npm_install "$here/soketi"
# uWebSockets.js (npm:uwebsockets, see soketi/package.json) ships one binary per Node ABI; prove this Node has one.
(cd "$here/soketi" && node -e "require('uWebSockets.js')") || {
  echo "setup: Soketi's uWebSockets.js has no binary for Node $(node -v)" >&2
  exit 2
}
echo "setup: soketi $(node -p "require('$here/soketi/node_modules/@soketi/soketi/package.json').version")"

echo "setup: mvn package in netty"
mvn -B -q -Dstyle.color=never -f "$here/netty/pom.xml" package
[[ -f $here/netty/target/throng-peer-netty.jar ]]
echo "setup: done"
