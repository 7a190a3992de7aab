/**
 * The JSON bodies of the directory's transparency API (docs/transparency.md
 * §HTTP API), shared by the server that writes them and the client that reads
 * them. Binary values travel as strict base64 (RFC 4648 §4, padded, canonical);
 * sizes and indices as JSON integers. The parsers accept exactly these shapes
 * and throw `DirectoryError('malformed')` on anything else.
 */
import { base64Decode, base64Encode } from '../crypto/armor';
import { DirectoryError } from './errors';
import { HASH_LENGTH, MAX_PROOF_LENGTH } from './merkle';

/** GET /v1/log/head */
export interface TreeHeadResponse {
  sth: string;
}

/** GET /v1/log/consistency?first=M&second=N */
export interface ConsistencyResponse {
  first: number;
  second: number;
  proof: string[];
}

/** GET /v1/log/inclusion?index=I&size=N */
export interface InclusionResponse {
  index: number;
  treeSize: number;
  leaf: string;
  proof: string[];
}

/**
 * The `transparency` member of a key lookup response: the binding's leaf, its
 * inclusion proof in the tree of `sth`, and the consistency proof from the
 * tree size the client said it knows (`?known=M`) to the size of `sth`.
 */
export interface LookupTransparency {
  leafIndex: number;
  leaf: string;
  sth: string;
  inclusion: string[];
  /** Present when 0 < known < sth's tree size; otherwise empty. */
  consistency: string[];
  /** The tree size the consistency proof starts from (the `known` the server used; 0 for none). */
  consistencyFrom: number;
}

/** GET /v1/keys/{address}?known=M (the lookup route; the bundle part is the core API's). */
export interface LookupResponse {
  bundle: string;
  transparency: LookupTransparency;
}

/** One change of an address's binding, with its inclusion proof in the tree of the response's `sth`. */
export interface HistoryEntry {
  leafIndex: number;
  leaf: string;
  inclusion: string[];
}

/** POST /v1/log/history {address, known} */
export interface HistoryResponse {
  addressHash: string;
  sth: string;
  entries: HistoryEntry[];
  consistency: string[];
  consistencyFrom: number;
}

export const toBase64 = base64Encode;

/** Strict, canonical base64: decodes and re-encodes to the same text, or `malformed`. */
export function fromBase64(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string' || value.length % 4 !== 0) {
    throw new DirectoryError('malformed', `${what}: expected padded base64`);
  }
  let bytes: Uint8Array;
  try {
    bytes = base64Decode(
      value.endsWith('==') ? value.slice(0, -2) : value.endsWith('=') ? value.slice(0, -1) : value,
    );
  } catch {
    throw new DirectoryError('malformed', `${what}: not base64`);
  }
  if (base64Encode(bytes) !== value) throw new DirectoryError('malformed', `${what}: not canonical base64`);
  return bytes;
}

export function hashListFromBase64(value: unknown, what: string): Uint8Array[] {
  if (!Array.isArray(value) || value.length > MAX_PROOF_LENGTH) {
    throw new DirectoryError('malformed', `${what}: expected an array of at most ${MAX_PROOF_LENGTH} hashes`);
  }
  return value.map((v, i) => {
    const h = fromBase64(v, `${what}[${i}]`);
    if (h.length !== HASH_LENGTH)
      throw new DirectoryError('malformed', `${what}[${i}]: not ${HASH_LENGTH} bytes`);
    return h;
  });
}

export function expectObject(value: unknown, what: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DirectoryError('malformed', `${what}: expected an object`);
  }
  const record = value as Record<string, unknown>;
  for (const k of keys) {
    if (!(k in record)) throw new DirectoryError('malformed', `${what}: missing ${k}`);
  }
  return record;
}

export function expectSize(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new DirectoryError('malformed', `${what}: expected a non-negative integer`);
  }
  return value;
}
