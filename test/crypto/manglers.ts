/**
 * What webmails do to ciphertext pasted into a body (shared/docs/webmail.md),
 * as functions on the armored text. Shared by the armor tests and, later, the
 * provider tests.
 */
import { ARMOR_BEGIN, ARMOR_END } from '../../src/crypto';

type Mangler = (text: string) => string;

const lines = (t: string) => t.split('\n');

export const MANGLERS: Record<string, Mangler> = {
  htmlBr: (t) => lines(t).join('<br>\n'),
  htmlDiv: (t) =>
    `<div dir="ltr">${lines(t)
      .map((l) => `<div>${l === '' ? '<br>' : l.replace(/&/g, '&amp;')}</div>`)
      .join('')}</div>`,
  htmlP: (t) =>
    lines(t)
      .map((l) => `<p style="margin:0">${l}</p>`)
      .join(''),
  nbsp: (t) => t.replace(/ /g, '\u00a0').replace(/\n/g, '\u00a0\n\u00a0'),
  nbspEntity: (t) => `<div>${t.replace(/ /g, '&nbsp;').replace(/\n/g, '<br>')}</div>`,
  crlf: (t) => t.replace(/\n/g, '\r\n'),
  rewrap72: (t) => rewrap(t, 72),
  rewrap78: (t) => rewrap(t, 78),
  joinAndWrap76: (t) => joinBody(t, 76),
  quote: (t) =>
    lines(t)
      .map((l) => `> ${l}`)
      .join('\n'),
  quoteNested: (t) =>
    lines(t)
      .map((l) => `> > >${l === '' ? '' : ` ${l}`}`)
      .join('\n'),
  quoteTight: (t) =>
    lines(t)
      .map((l) => `>>${l}`)
      .join('\n'),
  zeroWidth: (t) =>
    t
      .replace(/(.{7})/g, '$1\u200b')
      .replace(/(.{13})/g, '$1\ufeff')
      .replace(/(.{29})/g, '$1\u2060'),
  quotedPrintable: (t) => lines(t).map(qpLine).join('\n'),
  trailingSpaces: (t) => t.replace(/\n/g, '  \n'),
};

/** Soft-wraps every line longer than `width` (as a client re-flowing text does). */
function rewrap(t: string, width: number): string {
  return lines(t)
    .flatMap((l) => l.match(new RegExp(`.{1,${width}}`, 'g')) ?? [''])
    .join('\n');
}

/** Joins the base64 lines into one paragraph and wraps it again. */
function joinBody(t: string, width: number): string {
  const begin = t.indexOf(ARMOR_BEGIN) + ARMOR_BEGIN.length + 1;
  const end = t.indexOf(ARMOR_END);
  const body = t.slice(begin, end).replace(/\n/g, '');
  return `${t.slice(0, begin)}${rewrap(body, width)}\n${t.slice(end)}`;
}

/** Quoted-printable (RFC 2045 §6.7): "=" as =3D, soft breaks at 76. */
function qpLine(line: string): string {
  const encoded = line.replace(/=/g, '=3D');
  const out: string[] = [];
  let rest = encoded;
  while (rest.length > 75) {
    let cut = 75;
    // Never split an =XX escape.
    if (rest[cut - 1] === '=') cut -= 1;
    else if (rest[cut - 2] === '=') cut -= 2;
    out.push(`${rest.slice(0, cut)}=`);
    rest = rest.slice(cut);
  }
  out.push(rest);
  return out.join('\n');
}
