#!/usr/bin/env bash
# Installs and configures a real Roundcube 1.6 webmail on loopback for the
# browser tests (Debian 12 packages): Postfix (SMTP 127.0.0.1:25, local-only,
# delivers example.test over LMTP to Dovecot), Dovecot (IMAP 127.0.0.1:143,
# LMTP 127.0.0.1:24, users alice@example.test / bob@example.test), Roundcube
# behind php-fpm + nginx-light on http://127.0.0.1:8080/.
# Idempotent and non-interactive; run as root (or with sudo). Does not start
# anything: scripts/webmail/start.sh does. See docs/testing.md, "Webmail".
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if [ -n "$SUDO" ]; then exec sudo -E bash "$0" "$@"; fi

ETC=/etc/cipherpost-webmail
VAR=/var/lib/cipherpost-webmail
LOG=/var/log/cipherpost-webmail
MAILDIR_ROOT=/var/mail/cipherpost
PACKAGES=(roundcube roundcube-core roundcube-sqlite3 php8.2-fpm nginx-light dovecot-imapd dovecot-lmtpd postfix)

# --- packages ---------------------------------------------------------------
missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then missing+=("$p"); fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "webmail setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  debconf-set-selections <<'SEL'
postfix postfix/main_mailer_type select Local only
postfix postfix/mailname string example.test
roundcube-core roundcube/dbconfig-install boolean true
roundcube-core roundcube/database-type select sqlite3
SEL
  # .ci/run updates the package lists once for everything it installs.
  if [ "${CIPHERPOST_APT_UPDATED:-}" != 1 ]; then apt-get update; fi
  apt-get install -y --no-install-recommends "${PACKAGES[@]}"
else
  echo "webmail setup: packages already installed"
fi

mkdir -p "$ETC" "$VAR" "$LOG"

# --- mail user -----------------------------------------------------------------
if ! id vmail >/dev/null 2>&1; then
  useradd --system --home-dir "$MAILDIR_ROOT" --no-create-home --shell /usr/sbin/nologin vmail
fi
VMAIL_UID=$(id -u vmail)
VMAIL_GID=$(id -g vmail)
mkdir -p "$MAILDIR_ROOT"
chown vmail:vmail "$MAILDIR_ROOT"

# --- Dovecot (standalone config; the Debian one under /etc/dovecot is not used) -
cat >"$ETC/dovecot-users" <<USERS
alice@example.test:{PLAIN}alicepass:${VMAIL_UID}:${VMAIL_GID}::${MAILDIR_ROOT}/alice::
bob@example.test:{PLAIN}bobpass:${VMAIL_UID}:${VMAIL_GID}::${MAILDIR_ROOT}/bob::
USERS
chmod 640 "$ETC/dovecot-users"
chown root:dovecot "$ETC/dovecot-users" 2>/dev/null || true

cat >"$ETC/dovecot.conf" <<CONF
# Cipherpost test webmail: loopback only, plaintext auth, no TLS.
protocols = imap lmtp
listen = 127.0.0.1
base_dir = $VAR/dovecot-run
state_dir = $VAR/dovecot-state
log_path = $LOG/dovecot.log
info_log_path = $LOG/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = $VMAIL_UID
last_valid_uid = $VMAIL_UID
first_valid_gid = $VMAIL_GID
mail_location = maildir:~/Maildir
mail_uid = vmail
mail_gid = vmail
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $ETC/dovecot-users
}
userdb {
  driver = passwd-file
  args = username_format=%u $ETC/dovecot-users
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = 143
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = 24
  }
}
protocol lmtp {
  postmaster_address = postmaster@example.test
}
namespace inbox {
  inbox = yes
  mailbox Drafts {
    special_use = \Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \Junk
    auto = subscribe
  }
}
CONF
mkdir -p "$VAR/dovecot-run" "$VAR/dovecot-state"

# --- Postfix -------------------------------------------------------------------
postconf -e \
  "myhostname = mail.example.test" \
  "mydomain = example.test" \
  "myorigin = example.test" \
  "mydestination = localhost" \
  "inet_interfaces = 127.0.0.1" \
  "inet_protocols = ipv4" \
  "mynetworks = 127.0.0.0/8" \
  "relayhost =" \
  "virtual_mailbox_domains = example.test" \
  "virtual_transport = lmtp:inet:127.0.0.1:24" \
  "smtpd_relay_restrictions = reject_unauth_destination" \
  "default_transport = error:outside mail is disabled on this test machine" \
  "relay_transport = error:outside mail is disabled on this test machine" \
  "maillog_file = $LOG/postfix.log" \
  "smtputf8_enable = no" \
  "smtpd_tls_security_level = none" \
  "smtp_tls_security_level = none" \
  "compatibility_level = 3.6"
postconf -F '*/*/chroot = n'
# maillog_file needs the postlog service (Debian 12's master.cf has it; make sure).
if ! postconf -M postlog/unix-dgram >/dev/null 2>&1 || [ -z "$(postconf -M postlog/unix-dgram)" ]; then
  postconf -M 'postlog/unix-dgram=postlog   unix-dgram n  -       n       -       1       postlogd'
fi
newaliases >/dev/null 2>&1 || true

# --- Roundcube -----------------------------------------------------------------
DES_KEY_FILE="$ETC/des_key"
if [ ! -s "$DES_KEY_FILE" ]; then head -c 18 /dev/urandom | base64 | tr -d '\n/+=' | head -c 24 >"$DES_KEY_FILE"; fi
DES_KEY=$(cat "$DES_KEY_FILE")
RC_LOCAL=/etc/roundcube/cipherpost-webmail.inc.php
cat >"$RC_LOCAL" <<PHP
<?php
// Cipherpost test webmail (written by scripts/webmail/setup.sh).
\$config['imap_host'] = '127.0.0.1:143';
\$config['smtp_host'] = '127.0.0.1:25';
\$config['smtp_user'] = '';
\$config['smtp_pass'] = '';
\$config['login_rate_limit'] = 0;
\$config['des_key'] = '$DES_KEY';
\$config['product_name'] = 'Cipherpost test webmail';
\$config['username_domain'] = '';
\$config['mail_domain'] = '';
\$config['skin'] = 'elastic';
\$config['plugins'] = [];
\$config['enable_installer'] = false;
\$config['log_driver'] = 'file';
\$config['log_dir'] = '$LOG/roundcube/';
\$config['temp_dir'] = '$VAR/roundcube-tmp/';
\$config['htmleditor'] = 0;
\$config['draft_autosave'] = 0;
// Remote content in HTML mail: always shown (2), so the privacy tests (test/browser/privacy-remote.test.ts)
// see Roundcube itself load it without Cipherpost, and Cipherpost block it.
\$config['show_images'] = 2;
PHP
mkdir -p "$LOG/roundcube" "$VAR/roundcube-tmp"
chown www-data:www-data "$LOG/roundcube" "$VAR/roundcube-tmp"
if ! grep -q 'cipherpost-webmail.inc.php' /etc/roundcube/config.inc.php; then
  printf "\n@include('%s');\n" "$RC_LOCAL" >>/etc/roundcube/config.inc.php
fi
# The sqlite database made by dbconfig-common must be writable by www-data.
if [ -d /var/lib/dbconfig-common/sqlite3/roundcube ]; then
  chown -R www-data:www-data /var/lib/dbconfig-common/sqlite3/roundcube
fi

# Roundcube's document root (Debian: /var/lib/roundcube/public_html, else /usr/share/roundcube).
DOCROOT=/var/lib/roundcube/public_html
[ -d "$DOCROOT" ] || DOCROOT=/var/lib/roundcube
[ -f "$DOCROOT/index.php" ] || DOCROOT=/usr/share/roundcube

# --- php-fpm -------------------------------------------------------------------
cat >"$ETC/php-fpm.conf" <<CONF
[global]
pid = $VAR/php-fpm.pid
error_log = $LOG/php-fpm.log
daemonize = yes

[roundcube]
user = www-data
group = www-data
listen = $VAR/php-fpm.sock
listen.owner = www-data
listen.group = www-data
listen.mode = 0660
pm = static
pm.max_children = 4
catch_workers_output = yes
php_admin_value[error_log] = $LOG/php-errors.log
php_admin_value[upload_max_filesize] = 10M
php_admin_value[post_max_size] = 12M
php_admin_value[memory_limit] = 128M
CONF

# --- nginx ---------------------------------------------------------------------
cat >"$ETC/nginx.conf" <<CONF
worker_processes 1;
pid $VAR/nginx.pid;
error_log $LOG/nginx-error.log;
user www-data;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log $LOG/nginx-access.log;
  client_body_temp_path $VAR/nginx-body;
  fastcgi_temp_path $VAR/nginx-fastcgi;
  proxy_temp_path $VAR/nginx-proxy;
  uwsgi_temp_path $VAR/nginx-uwsgi;
  scgi_temp_path $VAR/nginx-scgi;
  client_max_body_size 12m;
  server {
    listen 127.0.0.1:8080;
    server_name 127.0.0.1;
    root $DOCROOT;
    index index.php;
    location ~ ^/(config|temp|logs|bin|SQL|installer|program/(include|lib|localization|steps))/ { deny all; }
    location ~ \.php\$ {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
      fastcgi_pass unix:$VAR/php-fpm.sock;
    }
    location / { try_files \$uri \$uri/ /index.php; }
  }
}
CONF
mkdir -p "$VAR/nginx-body" "$VAR/nginx-fastcgi" "$VAR/nginx-proxy" "$VAR/nginx-uwsgi" "$VAR/nginx-scgi"

# Check the configs before anyone starts them.
dovecot -c "$ETC/dovecot.conf" -n >/dev/null
postfix check
php-fpm8.2 -t -y "$ETC/php-fpm.conf" 2>/dev/null || php-fpm8.2 -t -y "$ETC/php-fpm.conf"
nginx -t -c "$ETC/nginx.conf" 2>/dev/null || nginx -t -c "$ETC/nginx.conf"
echo "webmail setup: done (docroot $DOCROOT); start with scripts/webmail/start.sh"
