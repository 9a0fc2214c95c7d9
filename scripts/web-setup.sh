#!/usr/bin/env bash
# Set-up for web/ (issue 11): Node ≥ 20.18 with npm (checked; Debian's nodejs from apt when
# missing), the npm packages (npm ci), and a Chromium for the browser test — Debian's `chromium`
# package from apt when there is none at $CHROMIUM_PATH (default /usr/bin/chromium). Playwright
# never downloads a browser here (playwright-core drives the system's Chromium).
#
#   bash scripts/web-setup.sh            # all three
#   bash scripts/web-setup.sh --no-npm   # Node check and Chromium only (CI has run npm ci)
set -euo pipefail
cd "$(dirname "$0")/.."

npm_ci=1
for arg in "$@"; do
    case "$arg" in
        --no-npm) npm_ci=0 ;;
        *) echo "usage: bash scripts/web-setup.sh [--no-npm]" >&2; exit 2 ;;
    esac
done

# apt as root, or through sudo.
apt_install() {
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || { echo "need root (or sudo) to apt-get install $*" >&2; exit 1; }
        sudo=(sudo)
    fi
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@"
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm
fi
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 18) ? 0 : 1)'; then
    echo "Node $(node --version) is too old for web/: install Node 20.18 or later" >&2
    exit 1
fi

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
    if [ -n "${CHROMIUM_PATH:-}" ]; then
        echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable" >&2
        exit 1
    fi
    apt_install chromium
fi
"$chromium" --version

if [ "$npm_ci" = 1 ]; then
    npm ci --prefix web --no-audit --no-fund
fi
