/**
 * The directory's own Cipherpost identity, which signs the encrypted
 * verification mails (every Cipherpost message is signed by its sender). Its
 * seed is derived from the server secret, so every instance signs with the
 * same key; the bundle binds `MAIL_FROM`.
 */
import { type Identity, openIdentity } from '../../src/crypto';
import { hmacSha256, label } from '../../src/crypto/hash';

export async function serverIdentity(secret: Uint8Array, mailFrom: string): Promise<Identity> {
  const seed = hmacSha256(secret, label('directory mail identity'));
  return openIdentity(seed, { addresses: [mailFrom] });
}
