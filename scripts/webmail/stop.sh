#!/usr/bin/env bash
# Stops the test webmail's daemons by PID (from their pid files): TERM to all
# of them at once, then waits (one after another takes about 9 s).
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then exec sudo -E bash "$0" "$@"; fi

VAR=/var/lib/cipherpost-webmail
pids=()
for f in "$VAR/nginx.pid" "$VAR/php-fpm.pid" /var/spool/postfix/pid/master.pid "$VAR/dovecot-run/master.pid"; do
  if [ -s "$f" ]; then
    pid=$(tr -d ' \n' <"$f")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      pids+=("$pid")
    fi
  fi
done
deadline=$((SECONDS + 20))
for pid in "${pids[@]}"; do
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "webmail stop: $pid still running after 20 s; sending KILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
done
echo "webmail stop: stopped ${#pids[@]} daemon(s)"
