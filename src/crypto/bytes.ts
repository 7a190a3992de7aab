/**
 * Byte helpers for the canonical encodings: big-endian integers, length-prefixed
 * fields, a strict reader that checks every length before it reads.
 */
import { CryptoError, type CryptoErrorCode } from './errors';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function fromUtf8(bytes: Uint8Array, what: string, code: CryptoErrorCode = 'corrupted'): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new CryptoError(code, `${what}: not valid UTF-8`);
  }
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Constant-time comparison for equal-length inputs (length itself is not secret). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new CryptoError('invalid-input', 'fromHex: not an even-length hex string');
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Overwrites secrets we own once they are no longer needed (best effort in JS). */
export function wipe(...buffers: (Uint8Array | undefined)[]): void {
  for (const b of buffers) b?.fill(0);
}

/** Copies `bytes` into a fresh ArrayBuffer-backed array, as WebCrypto's types want. */
export function own(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

/** Appends canonical big-endian fields. */
export class ByteWriter {
  private chunks: Uint8Array[] = [];
  private size = 0;

  bytes(b: Uint8Array): this {
    this.chunks.push(b);
    this.size += b.length;
    return this;
  }
  u8(n: number): this {
    return this.bytes(Uint8Array.of(checkUint(n, 0xff)));
  }
  u16(n: number): this {
    checkUint(n, 0xffff);
    return this.bytes(Uint8Array.of(n >>> 8, n & 0xff));
  }
  u32(n: number): this {
    checkUint(n, 0xffffffff);
    return this.bytes(Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff));
  }
  /** 64-bit, for values up to 2^53 - 1 (lengths, times). */
  u64(n: number): this {
    checkUint(n, Number.MAX_SAFE_INTEGER);
    const hi = Math.floor(n / 2 ** 32);
    return this.u32(hi).u32(n - hi * 2 ** 32);
  }
  /** A u8-length-prefixed field. */
  var8(b: Uint8Array): this {
    return this.u8(b.length).bytes(b);
  }
  /** A u16-length-prefixed field. */
  var16(b: Uint8Array): this {
    return this.u16(b.length).bytes(b);
  }
  /** A u32-length-prefixed field. */
  var32(b: Uint8Array): this {
    return this.u32(b.length).bytes(b);
  }
  finish(): Uint8Array {
    return concatBytes(...this.chunks);
  }
  get length(): number {
    return this.size;
  }
}

function checkUint(n: number, max: number): number {
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new CryptoError('invalid-input', `integer ${n} out of range 0..${max}`);
  }
  return n;
}

/**
 * Reads canonical fields. Running out of input is `truncated`; anything else
 * structurally wrong is reported by the caller through `fail`.
 */
export class ByteReader {
  private pos = 0;
  constructor(
    private readonly data: Uint8Array,
    private readonly what: string,
    private readonly shortCode: CryptoErrorCode = 'truncated',
  ) {}

  get offset(): number {
    return this.pos;
  }
  get remaining(): number {
    return this.data.length - this.pos;
  }
  bytes(n: number, field: string): Uint8Array {
    if (n > this.remaining) {
      throw new CryptoError(this.shortCode, `${this.what}: input ends inside ${field}`);
    }
    const out = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  u8(field: string): number {
    return this.bytes(1, field)[0]!;
  }
  u16(field: string): number {
    const b = this.bytes(2, field);
    return (b[0]! << 8) | b[1]!;
  }
  u32(field: string): number {
    const b = this.bytes(4, field);
    return ((b[0]! << 24) >>> 0) + ((b[1]! << 16) | (b[2]! << 8) | b[3]!);
  }
  u64(field: string): number {
    const hi = this.u32(field);
    const lo = this.u32(field);
    if (hi > 0x1fffff) this.fail('corrupted', `${field} is too large`);
    return hi * 2 ** 32 + lo;
  }
  var8(field: string): Uint8Array {
    return this.bytes(this.u8(field), field);
  }
  var16(field: string): Uint8Array {
    return this.bytes(this.u16(field), field);
  }
  var32(field: string, max: number): Uint8Array {
    const n = this.u32(field);
    if (n > max) this.fail('corrupted', `${field} length ${n} exceeds ${max}`);
    return this.bytes(n, field);
  }
  /** Every canonical structure must be consumed exactly. */
  end(code: CryptoErrorCode = 'corrupted'): void {
    if (this.remaining !== 0) this.fail(code, `${this.remaining} unexpected trailing bytes`);
  }
  fail(code: CryptoErrorCode, message: string): never {
    throw new CryptoError(code, `${this.what}: ${message}`);
  }
}
