#!/usr/bin/env bash
# Accord's test command (the one the README names).
#
#   scripts/test.sh            everything: deps, PostgreSQL, cargo build + tests, browser tests
#   scripts/test.sh setup      only install what is missing and start PostgreSQL
#   scripts/test.sh postgres   only start PostgreSQL / create the test role and database
#   scripts/test.sh env        start PostgreSQL, then print `export ...` lines for your shell:
#                              eval "$(scripts/test.sh env)"
#   scripts/test.sh rust       build + cargo tests (expects PostgreSQL to be set up)
#   scripts/test.sh e2e        npm ci + browser tests (expects target/debug/accord to be built)
#
# Idempotent: every step checks before it acts, so a second run passes too.
# Runs as root (CI, and the developer machines of this project); as another user it
# uses sudo for apt-get / pg_ctlcluster / runuser when sudo exists.
#
# Environment it reads (all optional):
#   ACCORD_TEST_POSTGRES_URL   if already set, used as is and no local cluster is managed
#   ACCORD_TEST_PG_PASSWORD    password for the local `accord` test role (default below)
#   ACCORD_BIN                 server binary for the browser tests (default <target>/debug/accord)
#
# Environment the tests get:
#   ACCORD_TEST_POSTGRES_URL=postgres://accord:<pw>@127.0.0.1:5432/accord_test
#     (role `accord` has LOGIN + CREATEDB and owns database accord_test)
#   ACCORD_BIN=<abs path>/target/debug/accord   (browser tests only)
#   ACCORD_PEER_PYTHON=<repo>/.venv-peers/bin/python   (third-party clients, scripts/peers/)
set -euo pipefail
set -E # the ERR trap also fires inside functions

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PG_VERSION=15
PG_CLUSTER=main
PG_PORT_WANTED=5432
PG_ROLE=accord
PG_DB=accord_test
# Throwaway password for a role that exists only for tests on a loopback-only
# PostgreSQL (Debian's default listen_addresses='localhost'). NOT a secret, never
# used outside test runs on this machine.
PG_PASSWORD="${ACCORD_TEST_PG_PASSWORD:-accord-test-only-local}"
# Per-test databases/schemas created by the Rust tests should use this prefix;
# stale ones (from killed runs) are dropped during setup.
PG_TEST_PREFIX=accord_t_

# libicu-dev, pkg-config, g++ and python3-dev build PyICU (followthemoney needs it; PyPI has no wheel).
APT_PACKAGES=(postgresql chromium chromium-driver faketime libxml2-utils minisign ffmpeg libicu-dev pkg-config g++ python3-dev)
APT_OPTS=(-o Acquire::Retries=3 -o DPkg::Lock::Timeout=120)

# ---------------------------------------------------------------- helpers --
CURRENT_SECTION="start"
SCRIPT_START=$SECONDS
SECTION_START=$SECONDS

section() {
  CURRENT_SECTION="$1"
  SECTION_START=$SECONDS
  printf '\n==================== %s ====================\n' "$1" >&2
}

section_done() {
  printf -- '---- %s: ok (%ss)\n' "$CURRENT_SECTION" "$((SECONDS - SECTION_START))" >&2
}

die() {
  printf '\nERROR [%s]: %s\n' "$CURRENT_SECTION" "$*" >&2
  exit 1
}

on_err() {
  local rc=$? line=$1 cmd=$2
  printf '\nFAILED [%s] exit %s at scripts/test.sh:%s: %s\n' "$CURRENT_SECTION" "$rc" "$line" "$cmd" >&2
  exit "$rc"
}
trap 'on_err "$LINENO" "$BASH_COMMAND"' ERR

as_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root for: $* (run as root, or install sudo)"
  fi
}

have_pkg() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" == installed ]]
}

# ------------------------------------------------------------ system deps --
APT_UPDATED=0
install_system_deps() {
  section "system packages (apt)"
  local missing=()
  local p
  for p in "${APT_PACKAGES[@]}"; do
    have_pkg "$p" || missing+=("$p")
  done
  # The binaries we rely on, in case a package is "installed" but broken.
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  [[ -x /usr/lib/postgresql/$PG_VERSION/bin/postgres ]] || missing+=("postgresql-$PG_VERSION")
  if ((${#missing[@]})); then
    # de-duplicate
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    echo "installing: ${missing[*]}" >&2
    if ((APT_UPDATED == 0)); then
      as_root env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" update -q \
        || die "apt-get update failed"
      APT_UPDATED=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y -q "${missing[@]}" \
      || die "apt-get install ${missing[*]} failed"
  else
    echo "already installed: ${APT_PACKAGES[*]}" >&2
  fi
  command -v node >/dev/null 2>&1 || die "node is not installed (expected the machine's Node.js >= 20)"
  command -v npm >/dev/null 2>&1 || die "npm is not installed"
  local node_major
  node_major="$(node -p 'process.versions.node.split(".")[0]')"
  ((node_major >= 20)) || die "Node.js >= 20 required, found $(node --version)"
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null | head -n1)" >&2
  echo "node: $(node --version)  npm: $(npm --version)" >&2
  section_done
}

install_node_deps() {
  section "node dependencies (npm ci)"
  [[ -f package-lock.json ]] || die "package-lock.json is missing (commit it; run 'npm install' once)"
  # Never 'npx playwright install': playwright-core drives Debian's /usr/bin/chromium.
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  if [[ -f node_modules/.package-lock.json && -d node_modules/playwright-core ]] \
    && [[ node_modules/.package-lock.json -nt package-lock.json ]] \
    && [[ node_modules/.package-lock.json -nt package.json ]]; then
    echo "node_modules is up to date with package-lock.json" >&2
  else
    npm ci --no-audit --no-fund --prefer-offline || die "npm ci failed"
  fi
  section_done
}

# -------------------------------------------------------------- peer tools --
# Third-party clients the tests run against the real server (threatexchange's
# Tech Against Terrorism client, …), pinned in scripts/peers/requirements.txt,
# in a virtual environment of the repository's own (.venv-peers, not committed).
PEERS_VENV="$ROOT/.venv-peers"
install_peer_tools() {
  section "peer tools (Python virtual environment)"
  local req="$ROOT/scripts/peers/requirements.txt"
  if [[ -x "$PEERS_VENV/bin/python" && -f "$PEERS_VENV/.installed" && "$PEERS_VENV/.installed" -nt "$req" ]]; then
    echo "peer tools are up to date with scripts/peers/requirements.txt" >&2
  else
    command -v python3 >/dev/null 2>&1 || die "python3 is not installed"
    rm -rf "$PEERS_VENV"
    python3 -m venv "$PEERS_VENV" || die "python3 -m venv failed"
    "$PEERS_VENV/bin/pip" install -q --disable-pip-version-check -r "$req" || die "pip install of the peer tools failed"
    # stix2-validator's wheel comes without the OASIS STIX 2.1 JSON schemas it
    # validates against (a git submodule upstream): give it the copy the
    # exports' tests use (from ../shared/data/formats/stix/schemas).
    local validator
    validator="$("$PEERS_VENV/bin/python" -c 'import os, stix2validator; print(os.path.dirname(stix2validator.__file__))')" \
      || die "stix2validator is not importable"
    mkdir -p "$validator/schemas-2.1"
    cp -r "$ROOT/crates/exports/tests/fixtures/stix/schemas" "$validator/schemas-2.1/"
    touch "$PEERS_VENV/.installed"
  fi
  export ACCORD_PEER_PYTHON="$PEERS_VENV/bin/python"
  section_done
}

# ------------------------------------------------------------- PostgreSQL --
pg_psql_admin() {
  # psql as the postgres superuser over the Unix socket (peer auth). cd / so that
  # the postgres user does not complain about an unreadable working directory.
  (cd / && as_root runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres "$@")
}

setup_postgres() {
  section "PostgreSQL $PG_VERSION (cluster $PG_VERSION/$PG_CLUSTER)"
  if [[ -n "${ACCORD_TEST_POSTGRES_URL:-}" && "${ACCORD_PG_MANAGED:-}" != 1 ]]; then
    echo "ACCORD_TEST_POSTGRES_URL is set by the caller: using it, not managing a local cluster" >&2
    command -v psql >/dev/null 2>&1 && {
      psql "$ACCORD_TEST_POSTGRES_URL" -X -q -t -c 'select 1' >/dev/null \
        || die "cannot connect to the given ACCORD_TEST_POSTGRES_URL"
    }
    section_done
    return
  fi
  command -v pg_lsclusters >/dev/null 2>&1 || die "postgresql-common is not installed (run: scripts/test.sh setup)"

  if ! pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c {f=1} END {exit !f}'; then
    echo "creating cluster $PG_VERSION/$PG_CLUSTER on port $PG_PORT_WANTED" >&2
    as_root pg_createcluster --port="$PG_PORT_WANTED" --locale=C.UTF-8 --encoding=UTF8 \
      "$PG_VERSION" "$PG_CLUSTER" || die "pg_createcluster failed"
  fi
  PG_PORT="$(pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c {print $3}')"
  [[ "$PG_PORT" =~ ^[0-9]+$ ]] || die "could not read the port of cluster $PG_VERSION/$PG_CLUSTER"
  if [[ "$PG_PORT" != "$PG_PORT_WANTED" ]]; then
    echo "note: cluster $PG_VERSION/$PG_CLUSTER listens on port $PG_PORT (not $PG_PORT_WANTED)" >&2
  fi
  local pg_log="/var/log/postgresql/postgresql-$PG_VERSION-$PG_CLUSTER.log"

  # No systemd here: pg_ctlcluster starts the server directly. 'status' exits 0
  # when running, 3 when not.
  if as_root pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" status >/dev/null 2>&1; then
    echo "cluster already running" >&2
  else
    echo "starting cluster" >&2
    if ! as_root pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start; then
      tail -n 30 "$pg_log" >&2 2>/dev/null || true
      die "pg_ctlcluster $PG_VERSION $PG_CLUSTER start failed (log above: $pg_log)"
    fi
  fi

  local i
  for ((i = 0; i < 60; i++)); do
    if pg_isready -q -h 127.0.0.1 -p "$PG_PORT" -t 2; then break; fi
    sleep 1
  done
  if ! pg_isready -h 127.0.0.1 -p "$PG_PORT" -t 2 >&2; then
    tail -n 30 "$pg_log" >&2 2>/dev/null || true
    die "PostgreSQL did not become ready on 127.0.0.1:$PG_PORT within 60 s (log above: $pg_log)"
  fi

  # Role: create if missing, then (re)set password and attributes every time, so
  # a changed ACCORD_TEST_PG_PASSWORD or a hand-edited role is repaired.
  pg_psql_admin <<SQL || die "creating role $PG_ROLE / database $PG_DB failed"
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '$PG_ROLE') THEN
    CREATE ROLE $PG_ROLE LOGIN;
  END IF;
END
\$\$;
ALTER ROLE $PG_ROLE WITH LOGIN CREATEDB NOSUPERUSER PASSWORD '$PG_PASSWORD';
SELECT 'CREATE DATABASE $PG_DB OWNER $PG_ROLE TEMPLATE template0 ENCODING ''UTF8'' LC_COLLATE ''C.UTF-8'' LC_CTYPE ''C.UTF-8'''
  WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = '$PG_DB')
\gexec
ALTER DATABASE $PG_DB OWNER TO $PG_ROLE;
SQL

  # Drop per-test databases left behind by killed runs (owned by the test role,
  # named with the agreed prefix). Nothing else is touched.
  local stale
  stale="$(pg_psql_admin -At -c "SELECT datname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba
    WHERE r.rolname = '$PG_ROLE' AND d.datname LIKE '${PG_TEST_PREFIX//_/\\_}%'")"
  if [[ -n "$stale" ]]; then
    echo "dropping $(wc -l <<<"$stale") stale per-test database(s)" >&2
    while IFS= read -r db; do
      pg_psql_admin -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" || true
    done <<<"$stale"
  fi

  export ACCORD_TEST_POSTGRES_URL="postgres://$PG_ROLE:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"
  export ACCORD_PG_MANAGED=1

  # Same for per-test schemas inside accord_test.
  pg_psql_admin -d "$PG_DB" <<SQL || die "dropping stale per-test schemas failed"
DO \$\$
DECLARE s text;
BEGIN
  FOR s IN SELECT nspname FROM pg_namespace WHERE nspname LIKE '${PG_TEST_PREFIX//_/\\_}%' LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', s);
  END LOOP;
END
\$\$;
SQL

  # Check the URL the tests will use: TCP + password auth as the test role.
  local who
  who="$(psql "$ACCORD_TEST_POSTGRES_URL" -X -q -At -c "select current_user || ' ' || current_database() || ' ' || pg_encoding_to_char(encoding) from pg_database where datname = current_database()")" \
    || die "cannot connect as $PG_ROLE to 127.0.0.1:$PG_PORT/$PG_DB with a password (check pg_hba.conf: host ... scram-sha-256)"
  echo "connected as: $who" >&2
  echo "ACCORD_TEST_POSTGRES_URL=postgres://$PG_ROLE:***@127.0.0.1:$PG_PORT/$PG_DB" >&2
  section_done
}

# ------------------------------------------------------------------- Rust --
cargo_target_dir() {
  cargo metadata --format-version 1 --no-deps 2>/dev/null \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))'
}

run_rust() {
  section "cargo build --workspace --all-targets"
  cargo build --workspace --all-targets || die "cargo build failed"
  section_done

  [[ -n "${ACCORD_TEST_POSTGRES_URL:-}" ]] || die "ACCORD_TEST_POSTGRES_URL is not set (run the postgres step first)"

  # The PostgreSQL runs are marked ignored (so a machine without a server
  # reports them as ignored, not passed); here the server is up: run them.
  # Tests run under nextest: each test in its own process, in parallel, with a
  # hang guard (scripts/nextest.toml; a .config/nextest.toml in the repo takes
  # precedence over it). Doctests are not run by nextest, hence cargo test --doc.
  if command -v cargo-nextest >/dev/null 2>&1; then
    section "cargo nextest run --workspace"
    cargo nextest run --workspace \
      --tool-config-file "accord-scripts:$ROOT/scripts/nextest.toml" \
      --profile accord-ci --no-tests=warn --run-ignored all \
      || die "Rust tests failed (see the nextest summary above)"
    section_done

    section "cargo test --workspace --doc"
    cargo test --workspace --doc || die "doctests failed"
    section_done
  else
    section "cargo test --workspace"
    echo "cargo-nextest not found: using cargo test" >&2
    cargo test --workspace -- --include-ignored || die "Rust tests failed"
    section_done
  fi
}

# ---------------------------------------------------------- browser tests --
run_e2e() {
  section "browser tests (node --test e2e/)"
  if [[ -z "${ACCORD_BIN:-}" ]]; then
    local target
    target="$(cargo_target_dir)" || true
    [[ -n "$target" ]] || target="$ROOT/target"
    ACCORD_BIN="$target/debug/accord"
  fi
  [[ "$ACCORD_BIN" == /* ]] || ACCORD_BIN="$ROOT/$ACCORD_BIN"
  [[ -x "$ACCORD_BIN" ]] || die "ACCORD_BIN=$ACCORD_BIN is not an executable (build it: cargo build -p accord)"
  [[ -x /usr/bin/chromium ]] || die "/usr/bin/chromium missing (run: scripts/test.sh setup)"
  [[ -d node_modules/playwright-core ]] || die "node_modules/playwright-core missing (run: npm ci)"
  export ACCORD_BIN
  echo "ACCORD_BIN=$ACCORD_BIN" >&2
  rm -rf e2e/artifacts && mkdir -p e2e/artifacts
  node --test --test-timeout=300000 e2e/ || die "browser tests failed (screenshots/logs in e2e/artifacts/)"
  section_done
}

# ------------------------------------------------------------------- main --
main() {
  local what="${1:-all}"
  case "$what" in
    all)
      install_system_deps
      install_node_deps
      install_peer_tools
      setup_postgres
      run_rust
      run_e2e
      ;;
    setup)
      install_system_deps
      install_node_deps
      install_peer_tools
      setup_postgres
      ;;
    postgres)
      setup_postgres
      ;;
    env)
      setup_postgres >&2
      printf 'export ACCORD_TEST_POSTGRES_URL=%q\n' "$ACCORD_TEST_POSTGRES_URL"
      [[ -x "$PEERS_VENV/bin/python" ]] && printf 'export ACCORD_PEER_PYTHON=%q\n' "$PEERS_VENV/bin/python"
      return 0
      ;;
    rust)
      install_peer_tools
      setup_postgres
      run_rust
      ;;
    e2e)
      install_node_deps
      run_e2e
      ;;
    -h | --help | help)
      sed -n '2,25p' "$0"
      return 0
      ;;
    *)
      die "unknown step '$what' (all | setup | postgres | env | rust | e2e)"
      ;;
  esac
  CURRENT_SECTION="done"
  printf '\n==================== scripts/test.sh %s: OK (%ss) ====================\n' \
    "$what" "$((SECONDS - SCRIPT_START))" >&2
}

main "$@"
