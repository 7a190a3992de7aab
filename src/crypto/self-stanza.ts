/**
 * The sender's own copy (docs/crypto.md §Sender's copy). Instead of a hybrid
 * encapsulation to their own public keys, the sender wraps the content key
 * under a symmetric key derived from their identity seed: post-quantum by
 * construction, and one ML-KEM encapsulation cheaper per message.
 *
 *   hint = HMAC-SHA-256(selfWrapKey, label("self hint") ‖ eph_pk)[0..8]
 *   KEK  = HKDF-SHA-256(IKM = selfWrapKey, salt = label("self kek"), info = eph_pk, L = 32)
 *
 * eph_pk is fresh per message, so each message gets its own KEK, and the hint
 * is unlinkable to the sender without the key.
 */
import { checkBytes } from './errors';
import { hkdfSha256, hmacSha256, label } from './hash';
import { STANZA_HINT_LENGTH } from './hybrid-kem';

const SELF_HINT_LABEL = label('self hint');
const SELF_KEK_SALT = label('self kek');

export function selfHint(selfWrapKey: Uint8Array, ephemeralPublicKey: Uint8Array): Uint8Array {
  checkBytes(selfWrapKey, 32, 'self stanza: key');
  return hmacSha256(selfWrapKey, SELF_HINT_LABEL, ephemeralPublicKey).slice(0, STANZA_HINT_LENGTH);
}

export function selfKek(selfWrapKey: Uint8Array, ephemeralPublicKey: Uint8Array): Uint8Array {
  checkBytes(selfWrapKey, 32, 'self stanza: key');
  return hkdfSha256(selfWrapKey, SELF_KEK_SALT, ephemeralPublicKey, 32);
}
