/** The banner's ticket, from `banner.html?t=<ticket>` (base64url; anything else is no ticket). */
export function ticketFromQuery(search: string): string {
  const ticket = new URLSearchParams(search).get('t') ?? '';
  return /^[A-Za-z0-9_-]{1,64}$/.test(ticket) ? ticket : '';
}
