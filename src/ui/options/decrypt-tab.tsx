/**
 * Read a message pasted from anywhere. The plaintext is shown only here, in
 * the extension's origin; HTML bodies are shown as text until the reader
 * (webmail-integration issue) renders them sanitized in a sandboxed frame.
 */
import { useState } from 'preact/hooks';
import type { DecryptedView } from '../../messaging/messages';
import { call, errorText } from '../api';
import { Alerts } from '../components/alerts';
import { base64ToBytes, download } from '../components/download';
import { t } from '../i18n';

export function DecryptTab() {
  const [armored, setArmored] = useState('');
  const [result, setResult] = useState<DecryptedView | null>(null);
  const [error, setError] = useState('');

  async function decrypt(e: Event) {
    e.preventDefault();
    setResult(null);
    const r = await call({ type: 'message:decrypt', armored });
    if (r.ok) {
      setError('');
      setResult(r.value);
    } else setError(errorText(r));
  }

  return (
    <section data-testid="decrypt-tab">
      <form class="card" onSubmit={decrypt}>
        <h2>{t('decrypt_title')}</h2>
        <textarea
          rows={8}
          data-testid="armored"
          value={armored}
          onInput={(e) => setArmored(e.currentTarget.value)}
        />
        <button type="submit" data-testid="decrypt">
          {t('decrypt')}
        </button>
      </form>
      <Alerts error={error} />
      {result && (
        <article class="card" data-testid="decrypted">
          {!result.addressedToYou && (
            <p class="danger" role="alert">
              {t('not_addressed_to_you')}
            </p>
          )}
          <p>
            {t('signed_by', result.sender.address)}{' '}
            <span class="trust" data-trust={result.sender.trust}>
              {t(`trust_${result.sender.trust.replace(/-/g, '_')}`)}
            </span>
          </p>
          <h3 data-testid="decrypted-subject">{result.subject}</h3>
          <pre data-testid="decrypted-body">{result.body}</pre>
          {result.attachments.map((a) => (
            <button
              type="button"
              key={a.name}
              onClick={() => download(a.name, base64ToBytes(a.data), a.mediaType)}
            >
              {a.name} ({a.size} B)
            </button>
          ))}
        </article>
      )}
    </section>
  );
}
