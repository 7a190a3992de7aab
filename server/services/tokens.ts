/** Confirmation tokens: 256 random bits, base64url; only SHA-256 of a token is stored. */
import { randomBytes } from 'node:crypto';
import { toHex, utf8 } from '../../src/crypto/bytes';
import { sha256 } from '../../src/crypto/hash';

export const TOKEN_BYTES = 32;
export const TOKEN_PATTERN = '^[A-Za-z0-9_-]{43}$';
export const TOKEN_LIFETIME_MS = 3600_000;

export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

export function hashToken(token: string): string {
  return toHex(sha256(utf8(token)));
}
