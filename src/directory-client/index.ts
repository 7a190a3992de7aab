/**
 * The directory client: lookups checked against the directory's signed,
 * append-only transparency log, and monitoring of one's own address
 * (docs/transparency.md). Pure code over an injected `fetch` and store.
 */
export {
  type AddressPin,
  createDirectoryClient,
  type DirectoryClient,
  type DirectoryClientOptions,
  type DirectoryClientStore,
  type FetchLike,
  type LookupResult,
  type MonitoredEntry,
  type MonitorReport,
} from './client';
export { DirectoryError, type DirectoryErrorCode, isDirectoryError } from './errors';
export {
  decodeLeaf,
  decodeTreeHead,
  type LogAction,
  type LogLeaf,
  logIdOf,
  type TreeHead,
  verifyTreeHead,
} from './log-format';
export { hashChildren, leafHash, rootFromInclusionProof, verifyConsistency, verifyInclusion } from './merkle';
