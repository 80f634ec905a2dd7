# Sourced by scripts/test: a Python virtual environment with the PyPI packages the tests run for real
# (Moonraker 0.11.0), kept in .build/python so a second run reuses it. Exports PRINTFARM_TEST_MOONRAKER.

MOONRAKER_VERSION=0.11.0

ensure_python_env() {
  local venv=.build/python
  if [ ! -x "$venv/bin/moonraker" ] || ! "$venv/bin/pip" show moonraker 2>/dev/null | grep -q "^Version: $MOONRAKER_VERSION$"; then
    log "installing moonraker $MOONRAKER_VERSION into $venv"
    mkdir -p .build
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "moonraker==$MOONRAKER_VERSION"
  fi
  export PRINTFARM_TEST_MOONRAKER="$PWD/$venv/bin/moonraker"
}
