# Shared by every example script: settings from the environment, one request helper, and checks that
# stop the script (exit 1) on the first unexpected answer. Source it; it needs only bash, curl and python3.
#
#   BASE_URL          gateway base URL                         default http://127.0.0.1:8000 (make run)
#   CREDENTIALS_FILE  JSON written by `invoice-gateway demo`   default <repo>/var/demo-credentials.json
#   IO_TOKEN          InvoiceOcean api_token                   default: from CREDENTIALS_FILE
#   INVO_LOGIN, INVO_PASSWORD   INVO HTTP Basic credentials     default: from CREDENTIALS_FILE
#   FK_KEY, FK_PASSWORD         fakturan.nu key_id and password default: from CREDENTIALS_FILE
set -euo pipefail

EXAMPLES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BASE_URL=${BASE_URL:-http://127.0.0.1:8000}
BASE_URL=${BASE_URL%/}
CREDENTIALS_FILE=${CREDENTIALS_FILE:-$EXAMPLES_DIR/../var/demo-credentials.json}

# The real interpreter, not a version manager's shim: each start of a shim costs more than a request.
PYTHON3=${PYTHON3:-$(python3 -c 'import sys; print(sys.executable)')}

fail() { echo "FAILED: $*" >&2; exit 1; }

# Unset credentials come from the credentials file, all in one read.
if [ -z "${IO_TOKEN:-}" ] || [ -z "${INVO_LOGIN:-}" ] || [ -z "${INVO_PASSWORD:-}" ] || [ -z "${FK_KEY:-}" ] \
   || [ -z "${FK_PASSWORD:-}" ]; then
  [ -r "$CREDENTIALS_FILE" ] || fail "no credentials: set the variables or create $CREDENTIALS_FILE (make run does)"
  eval "$("$PYTHON3" - "$CREDENTIALS_FILE" <<'PY'
import json, shlex, sys
d = json.load(open(sys.argv[1]))
for name, (dialect, key) in {"IO_TOKEN": ("invoiceocean", "api_token"), "INVO_LOGIN": ("invo", "login"),
                             "INVO_PASSWORD": ("invo", "password"), "FK_KEY": ("fakturan", "key_id"),
                             "FK_PASSWORD": ("fakturan", "password")}.items():
    print(f"_FROM_FILE_{name}={shlex.quote(str(d[dialect][key]))}")
PY
)" || fail "unreadable credentials file $CREDENTIALS_FILE"
  IO_TOKEN=${IO_TOKEN:-$_FROM_FILE_IO_TOKEN}
  INVO_LOGIN=${INVO_LOGIN:-$_FROM_FILE_INVO_LOGIN}
  INVO_PASSWORD=${INVO_PASSWORD:-$_FROM_FILE_INVO_PASSWORD}
  FK_KEY=${FK_KEY:-$_FROM_FILE_FK_KEY}
  FK_PASSWORD=${FK_PASSWORD:-$_FROM_FILE_FK_PASSWORD}
fi

_WORK=$(mktemp -d)
BODY_FILE=$_WORK/body
_AT_EXIT=()
# at_exit COMMAND: run when the script ends, also after a failure (cleanups keep the account reusable)
at_exit() { _AT_EXIT+=("$1"); }
_finish() {
  local rc=$? command
  for command in "${_AT_EXIT[@]}"; do (eval "$command") >/dev/null 2>&1 || true; done
  rm -rf "$_WORK"
  exit "$rc"
}
trap _finish EXIT
coproc _CHECKER { exec "$PYTHON3" "$EXAMPLES_DIR/jsoncheck.py" "$BODY_FILE"; }
STATUS=""
BODY=""

step() { printf '\n== %s\n' "$*"; }

# call METHOD PATH [curl args...]: one request; sets STATUS and BODY (BODY_FILE keeps binary answers intact)
call() {
  local method=$1 path=$2
  shift 2
  echo "-> $method $path"
  STATUS=$(curl -sS -X "$method" -o "$BODY_FILE" -w '%{http_code}' "$@" "$BASE_URL$path") \
    || fail "curl could not reach $BASE_URL$path"
  BODY=$(tr -d '\0' <"$BODY_FILE")
  if [ "$(head -c 5 "$BODY_FILE")" = "%PDF-" ]; then
    echo "<- $STATUS <a PDF of $(wc -c <"$BODY_FILE") bytes>"
  else
    echo "<- $STATUS $(head -c 160 <<<"$BODY" | tr '\n' ' ')"
  fi
}

# Shorthands for the three dialects' conventions.
json_call() { local method=$1 path=$2; shift 2
  call "$method" "$path" -H 'Accept: application/json' -H 'Content-Type: application/json' "$@"; }
xml_call() { local method=$1 path=$2; shift 2
  call "$method" "$path" -H 'Accept: application/xml' -H 'Content-Type: application/xml' "$@"; }
# invo RESOURCE Q: like PHP's CURLOPT_POSTFIELDS "r=...&q=..." (the string is sent as is), Basic auth
invo() { call POST /api.json -u "$INVO_LOGIN:$INVO_PASSWORD" -d "r=$1&q=$2"; }
fk() { local method=$1 path=$2; shift 2
  call "$method" "$path" -u "$FK_KEY:$FK_PASSWORD" -H 'Content-Type: application/json' "$@"; }

expect_status() {
  [ "$STATUS" = "$1" ] || fail "expected HTTP $1, got $STATUS: $(head -c 600 <<<"$BODY")"
}

# jq-free JSON access through one python3 coprocess (jsoncheck.py): json EXPR evaluates a Python
# expression over d = the last answer's JSON and prints it (strings bare, the rest as JSON)
_evaluate() { # _evaluate MODE EXPR
  local status reply
  printf '%s\t%s\n' "$1" "${2//$'\n'/ }" >&"${_CHECKER[1]}"
  IFS= read -r reply <&"${_CHECKER[0]}" || fail "the JSON checker stopped"
  status=${reply%%$'\t'*}
  reply=${reply#*$'\t'}
  [ "$status" = 0 ] || fail "could not evaluate $2 (${reply//$'\x1f'/ }) on: $(head -c 600 <<<"$BODY")"
  printf '%s\n' "${reply//$'\x1f'/$'\n'}"
}
json() { _evaluate json "$1"; }
# expect_json EXPR EXPECTED: compares the printed value (strings bare, numbers as Python prints them)
expect_json() {
  local got
  got=$(json "$1")
  [ "$got" = "$2" ] || fail "$1 is '$got', expected '$2' in: $(head -c 600 <<<"$BODY")"
  echo "   ok: $1 = $2"
}
# expect_true EXPR: a Python condition over d
expect_true() {
  [ "$(json "bool($1)")" = "true" ] || fail "not true: $1 in: $(head -c 600 <<<"$BODY")"
  echo "   ok: $1"
}
# xml_text TAG: the text of the first <TAG> of the last answer (Rails-style XML)
xml_text() { _evaluate xml "$1"; }
# xml_all PATH: the texts at PATH below the root, as a JSON list (e.g. xml_all invoice/id)
xml_all() { _evaluate xml_all "$1"; }
expect_xml() {
  local got
  got=$(xml_text "$1")
  [ "$got" = "$2" ] || fail "<$1> is '$got', expected '$2' in: $(head -c 600 <<<"$BODY")"
  echo "   ok: <$1> = $2"
}
expect_contains() {
  grep -qF -- "$1" <<<"$BODY" || fail "answer lacks '$1': $(head -c 600 <<<"$BODY")"
  echo "   ok: contains $1"
}
expect_pdf() {
  [ "$(head -c 5 "$BODY_FILE")" = "%PDF-" ] || fail "not a PDF: $(head -c 200 "$BODY_FILE")"
  echo "   ok: a PDF of $(wc -c <"$BODY_FILE") bytes"
}

# json_pages PATH: every page of an InvoiceOcean list (page=1, 2, ... with per_page=100 until a short page,
# as its clients do); afterwards BODY and BODY_FILE hold all the items as one JSON array
json_pages() {
  local path=$1 page=1 items="[]" count
  while :; do
    json_call GET "$path&per_page=100&page=$page"
    expect_status 200
    count=$(json 'len(d)')
    items=$("$PYTHON3" -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1]) + json.load(open(sys.argv[2]))))' \
      "$items" "$BODY_FILE")
    [ "$count" -eq 100 ] || break
    page=$((page + 1))
  done
  printf '%s' "$items" >"$BODY_FILE"
  BODY=$items
  echo "   (all $(json 'len(d)') items of $page page(s))"
}

today() { python3 -c "import datetime,zoneinfo; print(datetime.datetime.now(zoneinfo.ZoneInfo(\"Europe/Warsaw\")).date())"; }
