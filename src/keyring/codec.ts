/**
 * The canonical plaintext of vault records and backup bodies: JSON, with byte
 * arrays as standard base64 (RFC 4648 §4, padded). Every reader validates the
 * shape field by field; anything unexpected is `corrupted` (or the code the
 * caller passes), never a TypeError deep inside the UI.
 */
import { fromUtf8, utf8 } from '../crypto/bytes';
import { VaultError, type VaultErrorCode } from './errors';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function fromBase64(text: string, what: string, code: VaultErrorCode = 'corrupted'): Uint8Array {
  if (!BASE64.test(text)) throw new VaultError(code, `${what}: not base64`);
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function encodeJson(value: unknown): Uint8Array {
  return utf8(JSON.stringify(value));
}

export function decodeJson(bytes: Uint8Array, what: string, code: VaultErrorCode = 'corrupted'): unknown {
  try {
    return JSON.parse(fromUtf8(bytes, what));
  } catch {
    throw new VaultError(code, `${what}: not valid JSON`);
  }
}

/** Field-by-field reader of an untrusted object; every failure throws `code`. */
export class Fields {
  private readonly obj: Record<string, unknown>;
  constructor(
    value: unknown,
    private readonly what: string,
    private readonly code: VaultErrorCode = 'corrupted',
  ) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail('not an object');
    this.obj = value as Record<string, unknown>;
  }

  fail(message: string): never {
    throw new VaultError(this.code, `${this.what}: ${message}`);
  }
  has(name: string): boolean {
    return this.obj[name] !== undefined;
  }
  raw(name: string): unknown {
    return this.obj[name];
  }
  string(name: string, maxLength = 4096): string {
    const v = this.obj[name];
    if (typeof v !== 'string' || v.length > maxLength) this.fail(`${name} is not a string`);
    return v;
  }
  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const v = this.obj[name];
    if (!(allowed as readonly unknown[]).includes(v)) this.fail(`${name} has an unknown value`);
    return v as T;
  }
  int(name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.obj[name];
    if (!Number.isSafeInteger(v) || (v as number) < min || (v as number) > max) {
      this.fail(`${name} is not an integer in ${min}..${max}`);
    }
    return v as number;
  }
  boolean(name: string): boolean {
    const v = this.obj[name];
    if (typeof v !== 'boolean') this.fail(`${name} is not a boolean`);
    return v;
  }
  /** Base64 text in JSON plaintext. */
  base64(name: string, length?: number): Uint8Array {
    const bytes = fromBase64(this.string(name, 16 * 1024 * 1024), `${this.what}.${name}`, this.code);
    if (length !== undefined && bytes.length !== length) this.fail(`${name} has the wrong length`);
    return bytes;
  }
  /** A Uint8Array stored as such in IndexedDB (structured clone). */
  bytes(name: string, length?: number): Uint8Array {
    const v = this.obj[name];
    if (!(v instanceof Uint8Array)) this.fail(`${name} is not bytes`);
    if (length !== undefined && v.length !== length) this.fail(`${name} has the wrong length`);
    return v;
  }
  array(name: string, maxLength: number): unknown[] {
    const v = this.obj[name];
    if (!Array.isArray(v) || v.length > maxLength) this.fail(`${name} is not a list of at most ${maxLength}`);
    return v;
  }
  object(name: string): Fields {
    return new Fields(this.obj[name], `${this.what}.${name}`, this.code);
  }
}
