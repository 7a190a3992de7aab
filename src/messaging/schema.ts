/**
 * Declarative field checks for message parsing: each message lists its fields
 * and their kinds, and anything else (a missing field, a wrong type, an extra
 * key, an over-long string) makes the message a `bad-request`.
 */

export type FieldKind =
  | { kind: 'string'; max: number; optional?: boolean }
  | { kind: 'integer'; min: number; max: number; optional?: boolean }
  | { kind: 'boolean'; optional?: boolean }
  | { kind: 'enum'; values: readonly string[]; optional?: boolean }
  | { kind: 'strings'; maxItems: number; maxLength: number; optional?: boolean }
  /** Anything else (arrays of records): a predicate that must hold. */
  | { kind: 'custom'; check: (value: unknown) => boolean; optional?: boolean };

export const str = (max: number, optional = false): FieldKind => ({ kind: 'string', max, optional });
export const int = (min: number, max: number, optional = false): FieldKind => ({
  kind: 'integer',
  min,
  max,
  optional,
});
export const bool = (optional = false): FieldKind => ({ kind: 'boolean', optional });
/** An array of at most `maxItems` strings, each at most `maxLength` long. */
export const strs = (maxItems: number, maxLength: number, optional = false): FieldKind => ({
  kind: 'strings',
  maxItems,
  maxLength,
  optional,
});
export const custom = (check: (value: unknown) => boolean, optional = false): FieldKind => ({
  kind: 'custom',
  check,
  optional,
});
export const oneOf = (values: readonly string[], optional = false): FieldKind => ({
  kind: 'enum',
  values,
  optional,
});

function fits(value: unknown, f: FieldKind): boolean {
  switch (f.kind) {
    case 'string':
      return typeof value === 'string' && value.length <= f.max;
    case 'integer':
      return Number.isInteger(value) && (value as number) >= f.min && (value as number) <= f.max;
    case 'boolean':
      return typeof value === 'boolean';
    case 'enum':
      return typeof value === 'string' && f.values.includes(value);
    case 'strings':
      return (
        Array.isArray(value) &&
        value.length <= f.maxItems &&
        value.every((v) => typeof v === 'string' && v.length <= f.maxLength)
      );
    case 'custom':
      return f.check(value);
  }
}

/**
 * Returns `raw` typed as T when it has exactly `type` plus the listed fields,
 * each of the right kind; otherwise null.
 */
export function parseFields<T>(
  raw: Readonly<Record<string, unknown>>,
  fields: Readonly<Record<string, FieldKind>>,
): T | null {
  for (const key of Object.keys(raw)) {
    if (key !== 'type' && !Object.hasOwn(fields, key)) return null;
  }
  for (const [key, f] of Object.entries(fields)) {
    const present = Object.hasOwn(raw, key) && raw[key] !== undefined;
    if (!present) {
      if (f.optional) continue;
      return null;
    }
    if (!fits(raw[key], f)) return null;
  }
  return raw as T;
}
