# Sourced by the scripts: logging, root, and the apt packages the build and the tests need.

log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# What `printfarm demo` needs besides Swift: the slicer (and zlib for 3MF models) to build and print its orders.
ensure_demo_packages() {
  local missing=()
  command -v prusa-slicer >/dev/null || missing+=(prusa-slicer)
  [ -e /usr/include/zlib.h ] || missing+=(zlib1g-dev)
  command -v pkg-config >/dev/null || missing+=(pkg-config)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} (the demo slices its orders with PrusaSlicer)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

ensure_packages() {
  local missing=()
  [ -n "$(pg_bindir)" ] || missing+=(postgresql)
  command -v runuser >/dev/null || missing+=(util-linux)
  command -v python3 >/dev/null || missing+=(python3)
  # Moonraker (from PyPI) runs in a virtual environment; Debian splits venv and pip out of python3.
  python3 -c 'import ensurepip' 2>/dev/null || missing+=(python3-venv python3-pip)
  # Model intake: 3MF needs zlib; the agreement tests compare with admesh and read PrusaSlicer's sample models.
  [ -e /usr/include/zlib.h ] || missing+=(zlib1g-dev)
  command -v pkg-config >/dev/null || missing+=(pkg-config)
  command -v admesh >/dev/null || missing+=(admesh)
  command -v prusa-slicer >/dev/null || missing+=(prusa-slicer)
  # The web UI's browser tests drive Debian's Chromium.
  command -v chromium >/dev/null || missing+=(chromium)
  # Spool labels: librsvg draws a label's SVG, ZBar reads its QR code back (QRCodeTests, MaterialAPITests).
  command -v rsvg-convert >/dev/null || missing+=(librsvg2-bin)
  command -v zbarimg >/dev/null || missing+=(zbar-tools)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

