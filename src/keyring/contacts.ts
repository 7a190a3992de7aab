/**
 * Contact CRUD. A contact is stored under a blind id (HMAC of its address,
 * vault-key.ts), so the database does not show whom the user writes to, and,
 * from schema v2, with blind tags of its fingerprints for the byFingerprint
 * index (the signer of a message → their contact, without decrypting all).
 */
import { bundleHasAddress, normalizeAddress, type PublicKeyBundle, parseKeyBundle } from '../crypto';
import { fromHex } from '../crypto/bytes';
import {
  acknowledgeChange,
  applyObservation,
  CONTACT_RECORD_VERSION,
  type Contact,
  decodeContact,
  encodeContact,
  KEY_SOURCES,
  type KeySource,
  normalizeFingerprint,
  type ObserveResult,
  setTrust,
  TRUST_STATES,
  type TrustState,
} from './contact-record';
import { VaultError } from './errors';
import { metaRecord } from './meta';
import {
  type ListResult,
  openAll,
  openRecord,
  parseStored,
  type StoredRecord,
  sealRecord,
} from './record-crypto';
import { CONTACTS } from './schema';
import { type RecordOp, retryOnConflict, type VaultDb } from './vault-db';
import { blindIndex, type VaultKey, type VaultSubkeys } from './vault-key';

export interface ObserveInput {
  readonly address: string;
  /** The key bundle's canonical bytes; it must verify and carry `address`. */
  readonly bundle: Uint8Array;
  readonly source: KeySource;
  readonly directoryVerified?: boolean;
}

export class VaultContacts {
  constructor(private readonly db: VaultDb) {}

  /**
   * Records that `bundle` was seen for `address` (manual import, directory
   * answer, a message's signer). Read `changed` to flag a key change loudly.
   */
  async observe(key: VaultKey, input: ObserveInput): Promise<ObserveResult> {
    const address = checkAddress(input.address);
    if (!KEY_SOURCES.includes(input.source))
      throw new VaultError('invalid-input', 'contact: unknown key source');
    let bundle: PublicKeyBundle;
    try {
      bundle = await parseKeyBundle(input.bundle);
    } catch {
      throw new VaultError('invalid-input', 'contact: the key bundle does not verify');
    }
    if (!bundleHasAddress(bundle, address)) {
      throw new VaultError('invalid-input', 'contact: the key bundle is not for this address');
    }
    const observation = { bundle, source: input.source, directoryVerified: input.directoryVerified === true };
    return retryOnConflict(async () => {
      const { subkeys, id, stored, contact } = await this.read(key, address);
      const { result, dirty } = applyObservation(address, contact, observation, this.db.now());
      if (dirty) await this.write(subkeys, id, result.contact, stored?.nonce ?? null, 'contacts: observe');
      return result;
    });
  }

  async get(key: VaultKey, address: string): Promise<Contact | undefined> {
    return (await this.read(key, checkAddress(address))).contact;
  }

  async list(key: VaultKey): Promise<ListResult<Contact>> {
    const { subkeys } = await this.db.keyed(key);
    return openAll(await this.db.getAllRecords(CONTACTS), CONTACTS, (s) => this.decode(subkeys, s));
  }

  /** The contacts that hold `fingerprint` among their keys (current or not). */
  async findByFingerprint(key: VaultKey, fingerprint: Uint8Array | string): Promise<Contact[]> {
    const hex = normalizeFingerprint(fingerprint);
    if (this.db.schemaVersion < 2)
      throw new VaultError('invalid-input', 'contacts: no fingerprint index before v2');
    const { meta, subkeys } = await this.db.keyed(key);
    if (meta.indexPending) await this.completeIndex(key);
    const raws = await this.db.getContactsByTag(blindIndex(subkeys, 'fingerprint tag', fromHex(hex)));
    const { items } = await openAll(raws, CONTACTS, (s) => this.decode(subkeys, s));
    return items.filter((c) => c.keys.some((k) => k.fingerprint === hex));
  }

  async setTrust(
    key: VaultKey,
    address: string,
    fingerprint: Uint8Array | string,
    trust: TrustState,
  ): Promise<Contact> {
    if (!TRUST_STATES.includes(trust)) throw new VaultError('invalid-input', 'contact: unknown trust state');
    const hex = normalizeFingerprint(fingerprint);
    return this.update(key, address, (c) => setTrust(c, hex, trust, this.db.now()));
  }

  /** The user saw the key-change warning and accepts the new key (without verifying it). */
  async acknowledgeChange(key: VaultKey, address: string): Promise<Contact> {
    return this.update(key, address, (c) => acknowledgeChange(c, this.db.now()));
  }

  async delete(key: VaultKey, address: string): Promise<void> {
    const normalized = checkAddress(address);
    const { subkeys } = await this.db.keyed(key);
    const id = blindIndex(subkeys, 'contact id', normalized);
    if ((await this.db.getRecord(CONTACTS, id)) === undefined)
      throw new VaultError('not-found', 'contact: unknown');
    await this.db.commit(subkeys, [{ store: CONTACTS, delete: id }], 'contacts: delete');
  }

  /**
   * The keyed half of the v1 → v2 migration (schema.ts): computes the
   * fingerprint tags of every contact that has none, and clears the meta flag,
   * in one transaction. Ciphertexts are not touched.
   */
  async completeIndex(key: VaultKey): Promise<void> {
    await retryOnConflict(async () => {
      const { meta, subkeys } = await this.db.keyed(key);
      if (!meta.indexPending) return;
      const raws = await this.db.getAllRecords(CONTACTS);
      const ops: RecordOp[] = [];
      for (const raw of raws) {
        let stored: StoredRecord;
        let contact: Contact;
        try {
          stored = parseStored(raw, CONTACTS);
          contact = await this.decode(subkeys, stored);
        } catch (e) {
          if (e instanceof VaultError && e.code === 'corrupted') continue; // stays unindexed, reported by list()
          throw e;
        }
        ops.push({
          store: CONTACTS,
          put: { ...stored, ...this.tags(subkeys, contact) },
          expect: stored.nonce,
        });
      }
      await this.db.commit(subkeys, ops, 'contacts: index', (m) => metaRecord({ ...m, indexPending: false }));
    });
  }

  private async update(key: VaultKey, address: string, change: (c: Contact) => Contact): Promise<Contact> {
    const normalized = checkAddress(address);
    return retryOnConflict(async () => {
      const { subkeys, id, stored, contact } = await this.read(key, normalized);
      if (!contact || !stored) throw new VaultError('not-found', 'contact: unknown');
      const next = change(contact);
      if (next !== contact) await this.write(subkeys, id, next, stored.nonce, 'contacts: update');
      return next;
    });
  }

  private async read(key: VaultKey, address: string) {
    const { subkeys } = await this.db.keyed(key);
    const id = blindIndex(subkeys, 'contact id', address);
    const raw = await this.db.getRecord(CONTACTS, id);
    if (raw === undefined) return { subkeys, id, stored: undefined, contact: undefined };
    const stored = parseStored(raw, CONTACTS);
    const contact = await this.decode(subkeys, stored);
    if (contact.address !== address) throw new VaultError('corrupted', 'contact: stored under the wrong id');
    return { subkeys, id, stored, contact };
  }

  private async write(
    subkeys: VaultSubkeys,
    id: string,
    contact: Contact,
    expect: Uint8Array | null,
    what: string,
  ): Promise<void> {
    const sealed = await sealRecord(subkeys, CONTACTS, id, CONTACT_RECORD_VERSION, encodeContact(contact));
    await this.db.commit(
      subkeys,
      [{ store: CONTACTS, put: { ...sealed, ...this.tags(subkeys, contact) }, expect }],
      what,
    );
  }

  /** Schema v1 (only reachable in migration tests) has no index: write no tags there. */
  private tags(subkeys: VaultSubkeys, contact: Contact): { fingerprintTags?: string[] } {
    if (this.db.schemaVersion < 2) return {};
    return {
      fingerprintTags: contact.keys.map((k) =>
        blindIndex(subkeys, 'fingerprint tag', fromHex(k.fingerprint)),
      ),
    };
  }

  private async decode(subkeys: VaultSubkeys, stored: StoredRecord): Promise<Contact> {
    return decodeContact(await openRecord(subkeys, CONTACTS, stored, CONTACT_RECORD_VERSION));
  }
}

function checkAddress(address: string): string {
  try {
    return normalizeAddress(address);
  } catch {
    throw new VaultError('invalid-input', 'contact: not a valid email address');
  }
}
