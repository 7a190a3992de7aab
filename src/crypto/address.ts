/**
 * Email addresses as Cipherpost compares them. One documented rule everywhere
 * (bundle, signature, directory): trim, Unicode NFC, lower-case the whole
 * address. Local parts are case-sensitive in RFC 5321 §2.4, but no provider we
 * support treats them so, and two spellings of one mailbox must not be two keys.
 */
import { utf8 } from './bytes';
import { CryptoError } from './errors';

/** RFC 5321 §4.5.3.1.3: a path is at most 256 octets, so an address at most 254. */
export const MAX_ADDRESS_BYTES = 254;

export function normalizeAddress(address: string): string {
  if (typeof address !== 'string') throw new CryptoError('invalid-input', 'address: expected string');
  const normalized = address.trim().normalize('NFC').toLowerCase();
  const at = normalized.lastIndexOf('@');
  if (
    at < 1 ||
    at === normalized.length - 1 ||
    /[\s<>()[\]\\,;:"]/.test(normalized.slice(at)) ||
    /[\s<>]/.test(normalized) ||
    !normalized.slice(at + 1).includes('.') ||
    utf8(normalized).length > MAX_ADDRESS_BYTES
  ) {
    throw new CryptoError('invalid-input', `address: not a valid email address`);
  }
  return normalized;
}
