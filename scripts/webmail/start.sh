#!/usr/bin/env bash
# Starts the test webmail set up by scripts/webmail/setup.sh, every daemon on
# 127.0.0.1: Dovecot (IMAP 143, LMTP 24), Postfix (SMTP 25), php-fpm (unix
# socket) and nginx (HTTP 8080, Roundcube). Already running daemons are left
# alone. Waits until IMAP, SMTP and HTTP answer (fails after 30 s).
# Every daemon gets </dev/null and its output appended to a log: Dovecot keeps
# the caller's stdout open otherwise, and a pipe (CI's capture) never ends.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then exec sudo -E bash "$0" "$@"; fi

ETC=/etc/cipherpost-webmail
VAR=/var/lib/cipherpost-webmail
LOG=/var/log/cipherpost-webmail
if [ ! -f "$ETC/dovecot.conf" ]; then
  echo "webmail start: not set up; run scripts/webmail/setup.sh first" >&2
  exit 1
fi
mkdir -p "$LOG" "$VAR/dovecot-run" "$VAR/dovecot-state"

# A pid file names a live daemon only if that pid runs the expected program and is
# not a zombie: after a kill -9 (a session ending) the file stays behind, and its pid
# may linger unreaped or be reused by another program.
alive() {
  [ -s "$1" ] || return 1
  local pid state comm
  pid=$(tr -dc '0-9' <"$1")
  [ -n "$pid" ] || return 1
  state=$(ps -o stat= -p "$pid" 2>/dev/null) || return 1
  comm=$(ps -o comm= -p "$pid" 2>/dev/null) || return 1
  case "$state" in Z*) return 1 ;; esac
  [ "$comm" = "$2" ]
}
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# 200 from Roundcube's login page (bash only: curl may be missing on a fresh machine).
roundcube_ok() {
  (
    exec 3<>/dev/tcp/127.0.0.1/8080 || exit 1
    printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1:8080\r\n\r\n' >&3
    IFS= read -r -t 5 status <&3 || exit 1
    case "$status" in *" 200 "*) exit 0 ;; *) exit 1 ;; esac
  ) 2>/dev/null
}

# Starts a daemon, retrying for a few seconds: a daemon killed just before (its old
# process not reaped yet) can make the new one refuse to start ("already running").
launch() {
  local name=$1 log=$2
  shift 2
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    if "$@" </dev/null >>"$LOG/$log" 2>&1; then return 0; fi
    sleep 1
  done
  echo "webmail start: $name does not start; see $LOG/$log" >&2
  return 1
}

if alive "$VAR/dovecot-run/master.pid" dovecot; then echo "webmail start: dovecot already running"; else
  launch dovecot dovecot.out dovecot -c "$ETC/dovecot.conf"
fi
if alive /var/spool/postfix/pid/master.pid master; then echo "webmail start: postfix already running"; else
  launch postfix postfix.out postfix start
fi
if alive "$VAR/php-fpm.pid" php-fpm8.2; then echo "webmail start: php-fpm already running"; else
  launch php-fpm php-fpm.out php-fpm8.2 -y "$ETC/php-fpm.conf"
fi
if alive "$VAR/nginx.pid" nginx; then echo "webmail start: nginx already running"; else
  launch nginx nginx.out nginx -c "$ETC/nginx.conf"
fi

deadline=$((SECONDS + 30))
for port in 143 24 25 8080; do
  until answers "$port"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "webmail start: nothing answers on 127.0.0.1:$port after 30 s; logs in $LOG" >&2
      tail -n 20 "$LOG"/*.log "$LOG"/*.out >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.2
  done
done
# Roundcube itself (PHP and its database), not only nginx.
until roundcube_ok; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "webmail start: Roundcube does not answer on http://127.0.0.1:8080/; logs in $LOG" >&2
    tail -n 20 "$LOG"/*.log >&2 2>/dev/null || true
    exit 1
  fi
  sleep 0.2
done
echo "webmail start: IMAP 127.0.0.1:143, SMTP 127.0.0.1:25, Roundcube http://127.0.0.1:8080/ (users alice@example.test/alicepass, bob@example.test/bobpass)"
