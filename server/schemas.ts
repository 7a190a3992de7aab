/**
 * TypeBox schemas of every request and of every response status
 * (fastify/demo): the serializer emits only listed fields, so nothing
 * unlisted can leak, and requests with unknown fields are refused.
 */
import { type TSchema, Type } from '@sinclair/typebox';
import { TOKEN_PATTERN } from './services/tokens';

/** 16 addresses of 254 bytes and three keys: 5,799 bytes at most, 7,732 in base64. */
export const MAX_BUNDLE_BASE64 = 7732;
const BASE64 = '^[A-Za-z0-9+/]*={0,2}$';
const FINGERPRINT = '^([0-9A-Fa-f]{64}|([0-9A-Fa-f]{4} ){15}[0-9A-Fa-f]{4})$';

export const ErrorBody = Type.Object({ error: Type.String() }, { additionalProperties: false });

/** Every status an API route can answer besides its successes. */
export const errorResponses = {
  400: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  410: ErrorBody,
  413: ErrorBody,
  415: ErrorBody,
  422: ErrorBody,
  429: ErrorBody,
  500: ErrorBody,
  502: ErrorBody,
  503: ErrorBody,
} as const;

export function responses<T extends Record<number, TSchema>>(ok: T) {
  return { ...errorResponses, ...ok };
}

export const Address = Type.String({ minLength: 3, maxLength: 320 });

export const PublishBody = Type.Object(
  {
    address: Address,
    bundle: Type.String({ minLength: 1, maxLength: MAX_BUNDLE_BASE64, pattern: BASE64 }),
  },
  { additionalProperties: false },
);

export const PublishReply = Type.Object(
  {
    status: Type.Union([Type.Literal('pending'), Type.Literal('already-verified')]),
    fingerprint: Type.String(),
  },
  { additionalProperties: false },
);

export const TokenBody = Type.Object(
  { token: Type.String({ pattern: TOKEN_PATTERN }) },
  { additionalProperties: false },
);

export const ConfirmReply = Type.Object(
  {
    status: Type.Union([Type.Literal('published'), Type.Literal('revoked')]),
    address: Type.String(),
    fingerprint: Type.String(),
  },
  { additionalProperties: false },
);

export const AddressParams = Type.Object({ address: Type.String({ maxLength: 1024 }) });
export const FingerprintParams = Type.Object({ fingerprint: Type.String({ maxLength: 1024 }) });
export const LookupQuery = Type.Object(
  { known: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })) },
  { additionalProperties: false },
);

const Base64List = Type.Array(Type.String());
export const LookupTransparency = Type.Object(
  {
    leafIndex: Type.Integer({ minimum: 0 }),
    leaf: Type.String(),
    sth: Type.String(),
    inclusion: Base64List,
    consistency: Base64List,
    consistencyFrom: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

/** The lookup answer of src/directory-client/wire.ts (`LookupResponse`); transparency null until the log is plugged in. */
export const LookupReply = Type.Object(
  {
    bundle: Type.String(),
    transparency: Type.Union([LookupTransparency, Type.Null()]),
  },
  { additionalProperties: false },
);

export const RevokeBody = Type.Object(
  {
    fingerprint: Type.String({ pattern: FINGERPRINT }),
    timestamp: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    nonce: Type.String({ pattern: '^[A-Za-z0-9_-]{22}$' }),
    signature: Type.String({ pattern: BASE64, maxLength: 88 }),
  },
  { additionalProperties: false },
);

export const RevokeReply = Type.Object(
  { status: Type.Literal('revoked'), bindings: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);

export const EmailRevokeBody = Type.Object({ address: Address }, { additionalProperties: false });
export const PendingReply = Type.Object({ status: Type.Literal('pending') }, { additionalProperties: false });
export const HealthReply = Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false });
export const TokenQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 256 })) });
export const Html = Type.String();
