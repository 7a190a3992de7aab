/**
 * All directory state behind one repository: uploads, verified bindings,
 * single-use tokens, per-address mail limits, revocations, and the log leaves
 * written in the same transaction as each binding change. Every backend
 * (SQLite, PostgreSQL) passes the same suite (test/server/repository.test.ts).
 */
import { fromHex, toHex, utf8 } from '../../src/crypto/bytes';
import { hmacSha256, label } from '../../src/crypto/hash';
import type { LogAction as LeafAction } from '../../src/directory-client/log-format';
import type { Db, Queryable } from '../db/db';
import { sqlLeafStore } from '../log/leaf-store';
import type { LogWriter } from '../log/log-writer';
import type { LeafStore } from '../transparency/log';

export type TokenKind = 'publish' | 'revoke';

export interface Binding {
  address: string;
  /** Lower-case hex. */
  fingerprint: string;
  /** Base64 of the canonical bundle. */
  bundle: string;
  verifiedAt: number;
  /** The log leaf of the publish that made this binding. */
  logIndex: number;
  /** Hex of that leaf. */
  leaf: string;
}

export interface TokenRecord {
  tokenHash: string;
  kind: TokenKind;
  address: string;
  fingerprint: string;
  createdAt: number;
  expiresAt: number;
}

export type ConsumeResult =
  | { ok: true; kind: TokenKind; address: string; fingerprint: string; logIndex: number | null }
  | { ok: false };

export interface PurgeResult {
  uploads: number;
  tokens: number;
  mailLimits: number;
  nonces: number;
}

/** Unverified uploads live this long (Mailvelope's key server: 14 days). */
export const UPLOAD_RETENTION_MS = 14 * 24 * 3600 * 1000;

type BindingRow = {
  address: string;
  fingerprint: string;
  bundle: string;
  verified_at: number;
  log_index: number;
  leaf: string;
};

const BINDING_SELECT =
  'SELECT b.address, b.fingerprint, b.bundle, b.verified_at, b.log_index, l.leaf FROM bindings b JOIN log_leaves l ON l.leaf_index = b.log_index';

function toBinding(r: BindingRow): Binding {
  return {
    address: r.address,
    fingerprint: r.fingerprint,
    bundle: r.bundle,
    verifiedAt: Number(r.verified_at),
    logIndex: Number(r.log_index),
    leaf: r.leaf,
  };
}

const MAIL_LIMIT_LABEL = label('directory mail limit');

export class DirectoryRepository {
  /** Committed leaves, for the transparency module and the tests. */
  readonly leaves: LeafStore;

  constructor(
    readonly db: Db,
    /** Keys the address hashes of the mail-limit rows. */
    private readonly secret: Uint8Array,
    private readonly log: LogWriter,
  ) {
    this.leaves = sqlLeafStore(db);
  }

  /** Keyed hash of an address for the mail-limit rows: no address is stored for a mail not yet confirmed. */
  addressHash(address: string): string {
    return toHex(hmacSha256(this.secret, MAIL_LIMIT_LABEL, utf8(address)));
  }

  /** Stores (or refreshes) an unverified upload. */
  async saveUpload(fingerprint: string, bundle: string, now: number): Promise<void> {
    await this.db.run(
      'INSERT INTO uploads (fingerprint, bundle, created_at) VALUES (?, ?, ?) ' +
        'ON CONFLICT (fingerprint) DO UPDATE SET created_at = excluded.created_at',
      [fingerprint, bundle, now],
    );
  }

  async getUpload(fingerprint: string): Promise<{ bundle: string; createdAt: number } | undefined> {
    const row = await this.db.get<{ bundle: string; created_at: number }>(
      'SELECT bundle, created_at FROM uploads WHERE fingerprint = ?',
      [fingerprint],
    );
    return row && { bundle: row.bundle, createdAt: Number(row.created_at) };
  }

  /**
   * Reserves the one verification mail per address per `windowMs`. Atomic
   * across instances: returns false if a mail went out within the window.
   */
  async reserveAddressMail(address: string, now: number, windowMs: number): Promise<boolean> {
    const changed = await this.db.run(
      'INSERT INTO mail_limits (address_hash, last_sent) VALUES (?, ?) ' +
        'ON CONFLICT (address_hash) DO UPDATE SET last_sent = excluded.last_sent WHERE mail_limits.last_sent <= ?',
      [this.addressHash(address), now, now - windowMs],
    );
    return changed === 1;
  }

  /** Gives the reservation back when the mail could not be sent. */
  async releaseAddressMail(address: string, now: number): Promise<void> {
    await this.db.run('DELETE FROM mail_limits WHERE address_hash = ? AND last_sent = ?', [
      this.addressHash(address),
      now,
    ]);
  }

  async createToken(t: TokenRecord): Promise<void> {
    await this.db.run(
      'INSERT INTO tokens (token_hash, kind, address, fingerprint, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      [t.tokenHash, t.kind, t.address, t.fingerprint, t.createdAt, t.expiresAt],
    );
  }

  async isRevoked(fingerprint: string): Promise<boolean> {
    return (
      (await this.db.get('SELECT 1 AS x FROM revoked_keys WHERE fingerprint = ?', [fingerprint])) !==
      undefined
    );
  }

  /**
   * Uses a token once and applies its action in the same transaction: a
   * publish token binds its address to its key (replacing any earlier key),
   * a revoke token removes the address's binding. Used, expired and unknown
   * tokens are all `{ok: false}`.
   */
  async consumeToken(tokenHash: string, now: number, kind?: TokenKind): Promise<ConsumeResult> {
    const result = await this.db.transaction(async (tx): Promise<ConsumeResult> => {
      const used = await tx.run(
        'UPDATE tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? AND kind LIKE ?',
        [now, tokenHash, now, kind ?? '%'],
      );
      if (used !== 1) return { ok: false };
      const t = await tx.get<{ kind: TokenKind; address: string; fingerprint: string }>(
        'SELECT kind, address, fingerprint FROM tokens WHERE token_hash = ?',
        [tokenHash],
      );
      if (!t) return { ok: false };
      if (t.kind === 'publish') {
        const upload = await tx.get<{ bundle: string }>('SELECT bundle FROM uploads WHERE fingerprint = ?', [
          t.fingerprint,
        ]);
        const revoked = await tx.get('SELECT 1 AS x FROM revoked_keys WHERE fingerprint = ?', [
          t.fingerprint,
        ]);
        if (!upload || revoked) return { ok: false };
        const logIndex = await this.bindIn(tx, t.address, t.fingerprint, upload.bundle, now);
        return { ok: true, kind: 'publish', address: t.address, fingerprint: t.fingerprint, logIndex };
      }
      const current = await tx.get<{ fingerprint: string }>(
        'SELECT fingerprint FROM bindings WHERE address = ?',
        [t.address],
      );
      // The token names the key it revokes: a newer key bound since is left alone.
      if (!current || current.fingerprint !== t.fingerprint) return { ok: false };
      const logIndex = await this.unbindIn(tx, t.address, t.fingerprint, now);
      return { ok: true, kind: 'revoke', address: t.address, fingerprint: t.fingerprint, logIndex };
    });
    if (result.ok) await this.notifyLog();
    return result;
  }

  private async leaf(tx: Queryable, action: LeafAction, address: string, fingerprint: string, now: number) {
    const leaf = await this.log.append(sqlLeafStore(tx), {
      address,
      fingerprint: fromHex(fingerprint),
      action,
      timestamp: now,
    });
    return { index: leaf.index };
  }

  private async bindIn(tx: Queryable, address: string, fingerprint: string, bundle: string, now: number) {
    const { index } = await this.leaf(tx, 'publish', address, fingerprint, now);
    await tx.run(
      'INSERT INTO bindings (address, fingerprint, bundle, verified_at, log_index) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (address) DO UPDATE SET fingerprint = excluded.fingerprint, bundle = excluded.bundle, ' +
        'verified_at = excluded.verified_at, log_index = excluded.log_index',
      [address, fingerprint, bundle, now, index],
    );
    return index;
  }

  private async unbindIn(tx: Queryable, address: string, fingerprint: string, now: number) {
    const { index } = await this.leaf(tx, 'revoke', address, fingerprint, now);
    await tx.run('DELETE FROM bindings WHERE address = ?', [address]);
    return index;
  }

  /**
   * Revokes a key everywhere (a request signed by the key itself): removes
   * every binding to it, logs one revoke leaf per address, and refuses the key
   * from then on. The nonce is recorded in the same transaction, so a replayed
   * request fails. Returns the revoked addresses, or null for a replay.
   */
  async revokeKey(
    fingerprint: string,
    nonce: string,
    nonceExpiresAt: number,
    now: number,
  ): Promise<string[] | null> {
    const result = await this.db.transaction(async (tx) => {
      if (await tx.get('SELECT 1 AS x FROM request_nonces WHERE nonce = ?', [nonce])) return null;
      await tx.run('INSERT INTO request_nonces (nonce, expires_at) VALUES (?, ?)', [nonce, nonceExpiresAt]);
      const rows = await tx.all<{ address: string }>(
        'SELECT address FROM bindings WHERE fingerprint = ? ORDER BY address',
        [fingerprint],
      );
      for (const r of rows) await this.unbindIn(tx, r.address, fingerprint, now);
      await tx.run(
        'INSERT INTO revoked_keys (fingerprint, revoked_at) VALUES (?, ?) ON CONFLICT (fingerprint) DO NOTHING',
        [fingerprint, now],
      );
      await tx.run('DELETE FROM uploads WHERE fingerprint = ?', [fingerprint]);
      return rows.map((r) => r.address);
    });
    if (result && result.length > 0) await this.notifyLog();
    return result;
  }

  async lookupByAddress(address: string): Promise<Binding | undefined> {
    const row = await this.db.get<BindingRow>(`${BINDING_SELECT} WHERE b.address = ?`, [address]);
    return row && toBinding(row);
  }

  async lookupByFingerprint(fingerprint: string): Promise<Binding | undefined> {
    const row = await this.db.get<BindingRow>(
      `${BINDING_SELECT} WHERE b.fingerprint = ? ORDER BY b.verified_at DESC, b.address LIMIT 1`,
      [fingerprint],
    );
    return row && toBinding(row);
  }

  /**
   * Deletes unverified uploads older than the retention (a bound key's upload
   * stays while any binding uses it), expired tokens, stale mail limits and
   * expired nonces.
   */
  async purge(now: number, mailWindowMs = 3600_000): Promise<PurgeResult> {
    return this.db.transaction(async (tx) => ({
      uploads: await tx.run(
        'DELETE FROM uploads WHERE created_at < ? AND fingerprint NOT IN (SELECT fingerprint FROM bindings)',
        [now - UPLOAD_RETENTION_MS],
      ),
      tokens: await tx.run('DELETE FROM tokens WHERE expires_at < ?', [now]),
      mailLimits: await tx.run('DELETE FROM mail_limits WHERE last_sent <= ?', [now - mailWindowMs]),
      nonces: await tx.run('DELETE FROM request_nonces WHERE expires_at < ?', [now]),
    }));
  }

  /** The HMAC secret shared by every instance: from the environment, or created once in the database. */
  static async loadSecret(
    db: Db,
    fromEnv: Uint8Array | undefined,
    fresh: () => Uint8Array,
  ): Promise<Uint8Array> {
    if (fromEnv) return fromEnv;
    return db.transaction(async (tx) => {
      await tx.run('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [
        'secret',
        toHex(fresh()),
      ]);
      const row = await tx.get<{ value: string }>('SELECT value FROM settings WHERE name = ?', ['secret']);
      return fromHex(row!.value);
    });
  }

  /** After a commit that appended leaves: the log loads them (its `sync`). */
  private async notifyLog(): Promise<void> {
    try {
      await this.log.sync();
    } catch {
      // The write is committed; the log catches up at its next sync.
    }
  }
}
