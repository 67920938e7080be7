import { ApiError, type Location } from './api';
import { isTextKey, t } from './i18n';
import { memberCall } from './session';

let locations: Promise<Location[]> | null = null;

/** The club's locations (for the picker and each location's time zone), asked once per page load. */
export function clubLocations(): Promise<Location[]> {
  locations ??= memberCall<{ items: Location[] }>('GET', '/me/locations').then(
    (answer) => answer.items,
    (err: unknown) => {
      locations = null;
      throw err;
    },
  );
  return locations;
}

/** What went wrong with a member call, in the member's words: the refusal's reason when it has one. */
export function problemText(err: unknown): string {
  if (!(err instanceof ApiError)) return t('serverError');
  if (err.status === 0) return t('offline');
  if (isTextKey(err.code)) return t(err.code);
  return err.status >= 500 ? t('serverError') : err.message;
}
