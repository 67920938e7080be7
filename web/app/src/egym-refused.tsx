import { t, type TextKey } from './i18n';
import type { EgymRefusal } from './session';

const WORDS: Record<EgymRefusal, { title: TextKey; text: TextKey; retry: boolean }> = {
  expired: { title: 'egymExpiredTitle', text: 'egymExpired', retry: false },
  rejected: { title: 'egymRejectedTitle', text: 'egymRejected', retry: false },
  ambiguous: { title: 'egymAmbiguousTitle', text: 'egymAmbiguous', retry: false },
  notSynced: { title: 'egymNotSyncedTitle', text: 'egymNotSynced', retry: true },
  unavailable: { title: 'egymUnavailableTitle', text: 'egymUnavailable', retry: true },
  offline: { title: 'egymUnavailableTitle', text: 'offline', retry: true },
};

/** Why the EGYM tile could not sign the member in, and what they can do about it. */
export function EgymRefused({ refusal, retry }: { refusal: EgymRefusal; retry: () => void }) {
  const words = WORDS[refusal];
  return (
    <main class="page refused" data-refusal={refusal}>
      <h1>{t(words.title)}</h1>
      <p>{t(words.text)}</p>
      {words.retry && (
        <button type="button" class="primary" onClick={retry}>
          {t('tryAgain')}
        </button>
      )}
    </main>
  );
}
