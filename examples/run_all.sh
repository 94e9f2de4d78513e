#!/usr/bin/env bash
# Runs every example (shell scripts and Python flows) against a running gateway, one after another, and
# exits non-zero if any fails. `make examples` calls it; the variables of lib.sh apply (BASE_URL, ...).
#   examples/run_all.sh                  # all of them
#   examples/run_all.sh invo fakturan    # only these folders
# PYTHON (default: the repo's .venv, else python3) runs the flows; they need httpx.
set -uo pipefail
# A PYTHON given relative to the caller's folder would break after the cd below: anchor it first.
case ${PYTHON:-} in */*) [[ $PYTHON == /* ]] || PYTHON="$PWD/$PYTHON" ;; esac
cd "$(dirname "$0")"
PYTHON=${PYTHON:-$( [ -x ../.venv/bin/python ] && echo "$PWD/../.venv/bin/python" || echo python3 )}
folders=("$@")
[ ${#folders[@]} -gt 0 ] || folders=(invoiceocean invo fakturan migration)

failed=()
count=0
for folder in "${folders[@]}"; do
  for script in "$folder"/*.sh "$folder"/*.py; do
    [ -e "$script" ] || continue
    count=$((count + 1))
    printf '%-36s ' "$script"
    log=$(mktemp)
    case $script in
      *.py) "$PYTHON" "$script" >"$log" 2>&1 ;;
      *) bash "$script" >"$log" 2>&1 ;;
    esac
    if [ $? -eq 0 ]; then
      echo ok
    else
      echo FAILED
      failed+=("$script")
      sed 's/^/    /' "$log" | tail -25
    fi
    rm -f "$log"
  done
done
[ "${#folders[@]}" -eq 4 ] && [ $# -eq 0 ] && { count=$((count + 1)); printf '%-36s ' tour.sh
  if out=$(bash tour.sh 2>&1); then echo ok; else echo FAILED; failed+=(tour.sh); sed 's/^/    /' <<<"$out" | tail -25; fi; }
echo "$((count - ${#failed[@]})) of $count examples passed"
[ ${#failed[@]} -eq 0 ]
