/**
 * Identity CRUD. Exactly one identity is primary once there is any: the first
 * one added becomes primary, and switching or deleting the primary rewrites the
 * affected records in the same transaction, so no crash leaves two or none.
 */
import { createIdentity, type Identity, type PublicKeyBundle, parseKeyBundle } from '../crypto';
import { toHex } from '../crypto/bytes';
import { systemRandom } from '../crypto/random';
import { VaultError } from './errors';
import {
  decodeIdentity,
  encodeIdentity,
  IDENTITY_RECORD_VERSION,
  type IdentityInfo,
  type IdentityRecord,
  identityInfo,
  openIdentity,
} from './identity-record';
import {
  type ListResult,
  openAll,
  openRecord,
  parseStored,
  type StoredRecord,
  sealRecord,
} from './record-crypto';
import { IDENTITIES } from './schema';
import { type RecordOp, retryOnConflict, type VaultDb } from './vault-db';
import type { VaultKey, VaultSubkeys } from './vault-key';

export interface NewIdentityOptions {
  readonly addresses: readonly string[];
  /** Bundle lifetime; the crypto core's default (two years) otherwise. */
  readonly lifetimeSeconds?: number;
  /** Defaults to true for the first identity, false after. */
  readonly primary?: boolean;
}

interface Entry {
  readonly stored: StoredRecord;
  readonly record: IdentityRecord;
  readonly bundle: PublicKeyBundle;
}

export class VaultIdentities {
  constructor(private readonly db: VaultDb) {}

  /** Makes a new seed and a signed bundle for `addresses`, and stores them. */
  async generate(key: VaultKey, options: NewIdentityOptions): Promise<IdentityInfo> {
    const { seed, identity } = await createIdentity({
      addresses: options.addresses,
      created: Math.floor(this.db.now() / 1000),
      ...(options.lifetimeSeconds !== undefined ? { lifetimeSeconds: options.lifetimeSeconds } : {}),
    }).catch((e) => {
      throw new VaultError('invalid-input', `identity: ${(e as Error).message}`);
    });
    try {
      return await this.add(key, { seed, bundle: identity.bundle.bytes, primary: options.primary });
    } finally {
      seed.fill(0);
    }
  }

  /** Stores an existing seed with its bundle (which must carry the seed's public keys). */
  async add(
    key: VaultKey,
    input: { seed: Uint8Array; bundle: Uint8Array; primary?: boolean | undefined },
  ): Promise<IdentityInfo> {
    if (
      !(input.seed instanceof Uint8Array) ||
      input.seed.length !== 32 ||
      !(input.bundle instanceof Uint8Array)
    ) {
      throw new VaultError('invalid-input', 'identity: expected a 32-byte seed and bundle bytes');
    }
    const { bundle } = await openIdentity(input.seed, input.bundle, 'invalid-input');
    const fingerprint = toHex(bundle.fingerprint);
    return retryOnConflict(async () => {
      const { subkeys, list } = await this.readAll(key);
      if (list.items.some((e) => toHex(e.bundle.fingerprint) === fingerprint)) {
        throw new VaultError('invalid-input', 'identity: this key is already in the vault');
      }
      const primary = input.primary ?? !list.items.some((e) => e.record.primary);
      const record: IdentityRecord = {
        seed: input.seed.slice() as IdentityRecord['seed'],
        bundle: bundle.bytes,
        created: this.db.now(),
        primary,
      };
      const id = toHex(systemRandom(16));
      const ops: RecordOp[] = [
        { store: IDENTITIES, put: await this.seal(subkeys, id, record), expect: null },
      ];
      if (primary) ops.push(...(await this.demoteOthers(subkeys, list.items, id)));
      await this.db.commit(subkeys, ops, 'identities: add');
      return identityInfo(id, record, bundle);
    });
  }

  /** Every identity, without secrets. */
  async list(key: VaultKey): Promise<ListResult<IdentityInfo>> {
    const { list } = await this.readAll(key);
    return {
      items: list.items.map((e) => identityInfo(e.stored.id, e.record, e.bundle)),
      corrupted: list.corrupted,
    };
  }

  /** The unlocked identity (private keys derived from its seed). */
  async get(key: VaultKey, id: string): Promise<Identity> {
    const { subkeys } = await this.db.keyed(key);
    const raw = await this.db.getRecord(IDENTITIES, id);
    if (raw === undefined) throw new VaultError('not-found', 'identity: no such identity');
    const entry = await this.decode(subkeys, parseStored(raw, IDENTITIES));
    return openIdentity(entry.record.seed, entry.record.bundle);
  }

  async getPrimary(key: VaultKey): Promise<{ info: IdentityInfo; identity: Identity } | undefined> {
    const { list } = await this.readAll(key);
    const entry = list.items.find((e) => e.record.primary);
    if (!entry) return undefined;
    return {
      info: identityInfo(entry.stored.id, entry.record, entry.bundle),
      identity: await openIdentity(entry.record.seed, entry.record.bundle),
    };
  }

  async setPrimary(key: VaultKey, id: string): Promise<void> {
    await retryOnConflict(async () => {
      const { subkeys, list } = await this.readAll(key);
      const target = list.items.find((e) => e.stored.id === id);
      if (!target) throw new VaultError('not-found', 'identity: no such identity');
      if (target.record.primary) return;
      const ops: RecordOp[] = [
        {
          store: IDENTITIES,
          put: await this.seal(subkeys, id, { ...target.record, primary: true }),
          expect: target.stored.nonce,
        },
        ...(await this.demoteOthers(subkeys, list.items, id)),
      ];
      await this.db.commit(subkeys, ops, 'identities: set primary');
    });
  }

  /** Deletes an identity; if it was primary, the oldest remaining one becomes primary. */
  async delete(key: VaultKey, id: string): Promise<void> {
    await retryOnConflict(async () => {
      const { subkeys, list } = await this.readAll(key);
      const target = list.items.find((e) => e.stored.id === id);
      if (!target && !list.corrupted.some((c) => c.id === id)) {
        throw new VaultError('not-found', 'identity: no such identity');
      }
      const ops: RecordOp[] = [{ store: IDENTITIES, delete: id }];
      const rest = list.items
        .filter((e) => e.stored.id !== id)
        .sort((a, b) => a.record.created - b.record.created);
      const heir = rest[0];
      if (target?.record.primary && heir) {
        ops.push({
          store: IDENTITIES,
          put: await this.seal(subkeys, heir.stored.id, { ...heir.record, primary: true }),
          expect: heir.stored.nonce,
        });
      }
      await this.db.commit(subkeys, ops, 'identities: delete');
    });
  }

  private async demoteOthers(
    subkeys: VaultSubkeys,
    entries: readonly Entry[],
    keep: string,
  ): Promise<RecordOp[]> {
    const ops: RecordOp[] = [];
    for (const e of entries) {
      if (e.stored.id === keep || !e.record.primary) continue;
      const put = await this.seal(subkeys, e.stored.id, { ...e.record, primary: false });
      ops.push({ store: IDENTITIES, put, expect: e.stored.nonce });
    }
    return ops;
  }

  private seal(subkeys: VaultSubkeys, id: string, record: IdentityRecord): Promise<StoredRecord> {
    return sealRecord(subkeys, IDENTITIES, id, IDENTITY_RECORD_VERSION, encodeIdentity(record));
  }

  private async decode(subkeys: VaultSubkeys, stored: StoredRecord): Promise<Entry> {
    const record = decodeIdentity(await openRecord(subkeys, IDENTITIES, stored, IDENTITY_RECORD_VERSION));
    let bundle: PublicKeyBundle;
    try {
      bundle = await parseKeyBundle(record.bundle);
    } catch {
      throw new VaultError('corrupted', 'identity: stored bundle does not verify');
    }
    return { stored, record, bundle };
  }

  private async readAll(key: VaultKey): Promise<{ subkeys: VaultSubkeys; list: ListResult<Entry> }> {
    const { subkeys } = await this.db.keyed(key);
    const raws = await this.db.getAllRecords(IDENTITIES);
    return { subkeys, list: await openAll(raws, IDENTITIES, (stored) => this.decode(subkeys, stored)) };
  }
}
