/** Helpers shared by the compose and reader frames (issue 5). */

/**
 * The ticket in the frame's URL fragment (`reader.html#<ticket>`). Tickets are base64url;
 * anything else is treated as no ticket at all.
 */
export function ticketFromHash(hash: string): string {
  const ticket = hash.replace(/^#/, '');
  return /^[A-Za-z0-9_-]{1,64}$/.test(ticket) ? ticket : '';
}

/** The UI language for dates and numbers: the one the page is shown in. */
export function uiLanguage(): string {
  return typeof document !== 'undefined' && document.documentElement.lang
    ? document.documentElement.lang
    : 'en';
}

/** "12 KB", "1.5 MB": sizes for people, not for accounting. */
export function formatSize(bytes: number, lang = uiLanguage()): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
}

export function formatDateTime(ms: number, lang = uiLanguage()): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ms));
}

/** The size in bytes of base64 data, without decoding it. */
export function base64Size(b64: string): number {
  const clean = b64.replace(/\s/g, '');
  const pad = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((clean.length * 3) / 4) - pad);
}
