import { t } from './i18n';

/** What a screen says after a call: the problem (with "Try again") as an alert, a done action as a status. */
export function Messages({ problem, notice, onRetry }: { problem: string | null; notice: string | null; onRetry: () => void }) {
  return (
    <>
      {problem && (
        <p class="problem" role="alert">
          {problem}{' '}
          <button type="button" class="link" onClick={onRetry}>
            {t('tryAgain')}
          </button>
        </p>
      )}
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
    </>
  );
}
