/** Sender objects shaped like the ones Chrome and Firefox hand to runtime.onMessage. */

import { E2E_MATCHES, WEBMAIL_MATCHES } from '../../src/shell/hosts';

export const CHROME_ID = 'abcdefghijklmnopabcdefghijklmnop';
export const CHROME_ORIGIN = `chrome-extension://${CHROME_ID}`;
export const FIREFOX_ID = 'cipherpost@cipherpost.dev';
export const FIREFOX_ORIGIN = 'moz-extension://6f1d1c8e-3b5a-4c1e-9a57-1f2e3d4c5b6a';

export const PROD_HOSTS = WEBMAIL_MATCHES;
export const E2E_HOSTS = [...WEBMAIL_MATCHES, ...E2E_MATCHES];

const GMAIL_URL = 'https://mail.google.com/mail/u/0/#inbox';

/** Chrome: the popup (no tab; Chrome sets frameId only together with tab). */
export const chromePopup = () => ({
  id: CHROME_ID,
  url: `${CHROME_ORIGIN}/popup.html`,
  origin: CHROME_ORIGIN,
});

/** Firefox: the popup; Firefox gives no `origin`, only `url`. */
export const firefoxPopup = () => ({
  id: FIREFOX_ID,
  url: `${FIREFOX_ORIGIN}/popup.html`,
  frameId: 0,
});

/** The options page opened in its own tab. */
export const chromeOptionsTab = () => ({
  id: CHROME_ID,
  url: `${CHROME_ORIGIN}/options.html`,
  origin: CHROME_ORIGIN,
  frameId: 0,
  tab: { id: 4, url: `${CHROME_ORIGIN}/options.html` },
});

/** An extension iframe (compose) inside a Gmail tab. */
export const chromeComposeFrame = () => ({
  id: CHROME_ID,
  url: `${CHROME_ORIGIN}/compose.html`,
  origin: CHROME_ORIGIN,
  frameId: 7,
  tab: { id: 9, url: GMAIL_URL },
});

/** Our content script in the top frame of a Gmail tab. */
export const chromeGmailContent = () => ({
  id: CHROME_ID,
  url: GMAIL_URL,
  origin: 'https://mail.google.com',
  frameId: 0,
  tab: { id: 9, url: GMAIL_URL },
});

export const firefoxOutlookContent = () => ({
  id: FIREFOX_ID,
  url: 'https://outlook.office.com/mail/inbox',
  frameId: 0,
  tab: { id: 3, url: 'https://outlook.office.com/mail/inbox' },
});

/** Our e2e content script on the loopback test server (random port). */
export const chromeLoopbackContent = (port = 41234) => ({
  id: CHROME_ID,
  url: `http://127.0.0.1:${port}/smoke.html`,
  origin: `http://127.0.0.1:${port}`,
  frameId: 0,
  tab: { id: 12, url: `http://127.0.0.1:${port}/smoke.html` },
});
