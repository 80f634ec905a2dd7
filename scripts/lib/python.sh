# Sourced by scripts/test: a Python virtual environment with the PyPI packages the tests run for real
# (Moonraker 0.11.0; Playwright, which drives Debian's chromium for the browser tests, and axe-core for its
# accessibility audits; schemathesis for the API contract), kept in .build/python so
# a second run reuses it; OctoPrint 1.11 (with its bundled Virtual Printer) in .build/octoprint, apart, since it
# pins versions of tornado and others that Moonraker needs differently. Exports PRINTFARM_TEST_MOONRAKER,
# PRINTFARM_TEST_OCTOPRINT, PRINTFARM_TEST_PYTHON and PRINTFARM_TEST_CHROMIUM.

MOONRAKER_VERSION=0.11.0
PLAYWRIGHT_VERSION=1.65.2
AXE_VERSION=0.1.8
SCHEMATHESIS_VERSION=4.32.5
OCTOPRINT_VERSION=1.11.8

ensure_python_env() {
  local venv=.build/python
  if [ ! -x "$venv/bin/moonraker" ] || ! "$venv/bin/pip" show moonraker 2>/dev/null | grep "^Version: $MOONRAKER_VERSION$" >/dev/null; then
    log "installing moonraker $MOONRAKER_VERSION into $venv"
    mkdir -p .build
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "moonraker==$MOONRAKER_VERSION"
  fi
  # Playwright's own browser download is not used (and not possible offline): the tests launch Debian's chromium.
  if ! "$venv/bin/pip" show playwright 2>/dev/null | grep "^Version: $PLAYWRIGHT_VERSION$" >/dev/null; then
    log "installing playwright $PLAYWRIGHT_VERSION into $venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "playwright==$PLAYWRIGHT_VERSION"
  fi
  # axe-core (bundled in this package) audits each page for accessibility in the browser test.
  if ! "$venv/bin/pip" show axe-playwright-python 2>/dev/null | grep "^Version: $AXE_VERSION$" >/dev/null; then
    log "installing axe-playwright-python $AXE_VERSION into $venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps "axe-playwright-python==$AXE_VERSION"
  fi
  # schemathesis fuzzes the API from its own OpenAPI document (SchemathesisTests).
  if ! "$venv/bin/pip" show schemathesis 2>/dev/null | grep "^Version: $SCHEMATHESIS_VERSION$" >/dev/null; then
    log "installing schemathesis $SCHEMATHESIS_VERSION into $venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  local octo=.build/octoprint
  if [ ! -x "$octo/bin/octoprint" ] \
    || ! "$octo/bin/pip" show octoprint 2>/dev/null | grep "^Version: $OCTOPRINT_VERSION$" >/dev/null; then
    log "installing octoprint $OCTOPRINT_VERSION into $octo"
    python3 -m venv "$octo"
    "$octo/bin/pip" install --quiet --disable-pip-version-check "octoprint==$OCTOPRINT_VERSION"
  fi
  export PRINTFARM_TEST_OCTOPRINT="$PWD/$octo/bin/octoprint"
  export PRINTFARM_TEST_MOONRAKER="$PWD/$venv/bin/moonraker"
  export PRINTFARM_TEST_PYTHON="$PWD/$venv/bin/python"
  export PRINTFARM_TEST_CHROMIUM="$(command -v chromium)"
}
