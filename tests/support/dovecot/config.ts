/**
 * The configuration of a test Dovecot: one self-contained file (nothing from /etc/dovecot is
 * included), IMAP on one loopback port without TLS, LMTP on a unix socket inside the instance's
 * own base_dir, Maildir under the temp dir, users from a passwd-file with plain passwords.
 */

export type ConfigInput = {
  /** The instance's temp dir (absolute). */
  dir: string;
  imapPort: number;
  /** A name unique to this instance: processes show as dovecot-<instanceName>/…. */
  instanceName: string;
  /** Run as root: the master drops privileges to these users; otherwise everything runs as the current user. */
  asRoot: boolean;
  /** default_internal_user / default_login_user (names from /etc/passwd). */
  internalUser: string;
  /** default_internal_group: the internal user's primary group. */
  internalGroup: string;
  loginUser: string;
  /** The owner of the mail files (numeric, so no name lookup can go wrong). */
  mailUid: number;
  mailGid: number;
  /**
   * Keep Dovecot's failed-login slowness (auth_failure_delay 2 s, and anvil's auth penalty that
   * delays every later login from the same IP by 2 s, 4 s … up to 15 s). Off: failures answer within
   * ~0.5 s and do not slow the next login.
   */
  slowAuthFailures: boolean;
  /** Whether dovecot-lmtpd is installed (then `protocols` includes lmtp). */
  lmtp: boolean;
};

/** The special-use folders every test mailbox has, created (and subscribed) at first login. */
export const SPECIAL_USE = { Sent: '\\Sent', Drafts: '\\Drafts', Trash: '\\Trash', Junk: '\\Junk' } as const;

export const paths = (dir: string) => ({
  config: `${dir}/dovecot.conf`,
  passwd: `${dir}/passwd`,
  baseDir: `${dir}/run`,
  stateDir: `${dir}/state`,
  mail: `${dir}/mail`,
  log: `${dir}/dovecot.log`,
  lmtpSocket: `${dir}/run/lmtp`,
});

export function renderConfig(c: ConfigInput): string {
  const p = paths(c.dir);
  const mailboxes = Object.entries(SPECIAL_USE)
    .map(([name, use]) => `  mailbox ${name} {\n    special_use = ${use}\n    auto = subscribe\n  }`)
    .join('\n');
  return `# Written by tests/support/dovecot.ts for one test run; removed by stop().
# Self-contained: nothing from /etc/dovecot is read, so the system Dovecot is never touched.
protocols = imap${c.lmtp ? ' lmtp' : ''}
listen = 127.0.0.1
base_dir = ${p.baseDir}
state_dir = ${p.stateDir}
instance_name = ${c.instanceName}
log_path = ${p.log}
info_log_path = ${p.log}
log_timestamp = "%Y-%m-%d %H:%M:%S "
shutdown_clients = yes

# Plaintext on loopback only: no TLS at all.
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
${
  c.slowAuthFailures
    ? ''
    : `auth_failure_delay = 0
# The auth process cannot reach anvil's penalty socket, so it keeps no penalty per IP: a test's
# wrong password does not slow the next test's login from 127.0.0.1.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`
}auth_cache_size = 0

default_internal_user = ${c.internalUser}
default_internal_group = ${c.internalGroup}
default_login_user = ${c.loginUser}
first_valid_uid = 1
first_valid_gid = 1

passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${p.passwd}
}
userdb {
  driver = static
  args = uid=${c.mailUid} gid=${c.mailGid} home=${p.mail}/%u
}

mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
${mailboxes}
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${c.imapPort}
  }
  inet_listener imaps {
    port = 0
  }
${c.asRoot ? '' : '  chroot =\n'}}
service imap {
  process_limit = 64
}
${
  c.lmtp
    ? `service lmtp {
  unix_listener lmtp {
    mode = 0666
  }
}
recipient_delimiter = +
lda_mailbox_autocreate = yes
protocol lmtp {
  # user+Folder@domain is filed into Folder (how deliver() reaches a folder other than INBOX).
  lmtp_save_to_detail_mailbox = yes
}
`
    : ''
}${
  c.asRoot
    ? ''
    : `service auth {
  user = $default_internal_user
}
service auth-worker {
  user = $default_internal_user
}
`
}`;
}

/** passwd-file lines; passwords are base64 so any character (':' too) survives the file format. */
export function renderPasswd(users: { name: string; password: string }[]): string {
  return users.map((u) => `${u.name}:{PLAIN.BASE64}${Buffer.from(u.password, 'utf8').toString('base64')}::::::\n`).join('');
}
