/**
 * Signed revocation requests (docs/directory.md §Revocation). The owner signs,
 * with the Ed25519 key of the bundle being revoked:
 *
 *   label("directory revoke") ‖ var8(directory origin) ‖ fingerprint (32)
 *   ‖ u64(timestamp, ms) ‖ nonce (16)
 *
 * The label keeps this signature from ever being a message or bundle
 * signature; the origin binds it to one directory; the timestamp (±10
 * minutes) and the nonce (remembered for 20 minutes) stop replays.
 */
import { ByteWriter, utf8 } from '../../src/crypto/bytes';
import { ed25519SignWith } from '../../src/crypto/ed25519';
import { label } from '../../src/crypto/hash';

export const REVOKE_LABEL = label('directory revoke');
export const REVOKE_MAX_SKEW_MS = 10 * 60_000;
export const NONCE_BYTES = 16;

export function revocationMessage(
  origin: string,
  fingerprint: Uint8Array,
  timestamp: number,
  nonce: Uint8Array,
): Uint8Array {
  return new ByteWriter()
    .bytes(REVOKE_LABEL)
    .var8(utf8(origin))
    .bytes(fingerprint)
    .u64(timestamp)
    .bytes(nonce)
    .finish();
}

/** What a client sends: used by the tests and by the extension's directory client. */
export async function signRevocation(
  origin: string,
  fingerprint: Uint8Array,
  signingKey: CryptoKey,
  timestamp = Date.now(),
  nonce: Uint8Array = crypto.getRandomValues(new Uint8Array(NONCE_BYTES)),
): Promise<{ fingerprint: string; timestamp: number; nonce: string; signature: string }> {
  const signature = await ed25519SignWith(
    signingKey,
    revocationMessage(origin, fingerprint, timestamp, nonce),
  );
  return {
    fingerprint: Buffer.from(fingerprint).toString('hex'),
    timestamp,
    nonce: Buffer.from(nonce).toString('base64url'),
    signature: Buffer.from(signature).toString('base64'),
  };
}
