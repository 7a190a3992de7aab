/**
 * Key transparency for the directory (docs/transparency.md): the RFC 9162
 * Merkle log of address→key binding changes, its signing key and address key,
 * and the payloads of the transparency routes. The server core owns the
 * database and the routes; this module owns the log's formats and proofs.
 */

export * from '../../src/directory-client/log-format';
export { emptyRootHash, hashChildren, leafHash } from '../../src/directory-client/merkle';
export type * from '../../src/directory-client/wire';
export {
  type AppendInput,
  type CreateLogOptions,
  createLog,
  type LeafStore,
  LogRequestError,
  type StoredLeaf,
  type TransparencyLog,
} from './log';
export {
  consistencyProof,
  FixedColumn,
  inclusionProof,
  MerkleTree,
  rootHash,
  splitPoint,
} from './merkle-tree';
export { type TransparencyRoutesOptions, transparencyRoutes } from './routes';
export {
  addressHashOf,
  decodeLogSecrets,
  encodeLogSecrets,
  generateLogSecrets,
  LOG_SECRETS_FILE,
  type LogSecrets,
  type LogSigner,
  loadOrCreateLogSecrets,
  loadOrCreateLogSecretsIn,
  openLogSigner,
} from './secrets';
