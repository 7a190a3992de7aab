/**
 * Addresses from a webmail's recipient fields. Roundcube's hidden textareas hold
 * `Name <addr>, "Last, First" <addr2>, addr3`; chips hold one address each.
 * Anything that is not an address is dropped: the compose frame shows the
 * recipients and lets the user add what is missing.
 */

const ADDRESS = /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+\.[^\s@<>(),;:"[\]]+$/;

/** Splits a recipient list at commas and semicolons outside quotes and angle brackets. */
function splitList(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let angle = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '<') angle = true;
    else if (!quoted && c === '>') angle = false;
    if ((c === ',' || c === ';' || c === '\n') && !quoted && !angle) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

/** The address of one entry: inside <...> when present, else the entry itself. */
function addressOf(entry: string): string | null {
  const angle = /<([^<>]*)>\s*$/.exec(entry);
  const candidate = (angle ? angle[1]! : entry).trim().replace(/^mailto:/i, '');
  return ADDRESS.test(candidate) ? candidate.toLowerCase() : null;
}

/** Every address in a recipient list, lower-cased, first occurrence kept. */
export function parseAddresses(text: string): string[] {
  const out: string[] = [];
  for (const part of splitList(text)) {
    const address = addressOf(part);
    if (address && !out.includes(address)) out.push(address);
  }
  return out;
}
