/*
 * English and German. The language is the EGYM app's (its `language`, e.g. de_DE) when opened as a
 * tile, else the browser's first of en/de, else English.
 */
const en = {
  classes: 'Classes',
  myBookings: 'My bookings',
  signOut: 'Sign out',
  loading: 'Loading…',
  tryAgain: 'Try again',
  offline: 'No connection to the club. Check your internet connection and try again.',
  serverError: 'Something went wrong on our side. Please try again in a moment.',

  signInTitle: 'Sign in to book classes',
  signInHint: 'Use your e-mail address or member number and the password of your club membership.',
  login: 'E-mail or member number',
  password: 'Password',
  signIn: 'Sign in',
  fillBoth: 'Enter your e-mail or member number and your password.',
  wrongCredentials: 'That e-mail, member number or password is not right. Check them and try again.',
  throttled: 'Too many failed attempts. For your safety, signing in is paused for {minutes} min. Please try again after that.',
  checkUnavailable: 'Your password cannot be checked right now: the club’s membership system is not reachable. Please try again in a few minutes.',
  signedOut: 'You have been signed out. Please sign in again.',

  egymExpiredTitle: 'Your EGYM sign-in has expired',
  egymExpired: 'Close this page and open it again from the EGYM app.',
  egymRejectedTitle: 'We could not confirm who you are',
  egymRejected: 'The club could not accept the sign-in the EGYM app sent. Please tell the club staff, so they can check the connection to EGYM.',
  egymAmbiguousTitle: 'More than one member has your e-mail address',
  egymAmbiguous: 'Several memberships at the club share your e-mail address (in a family, for example), so we cannot tell which one is yours. Please ask the club staff to link your EGYM account to your membership.',
  egymNotSyncedTitle: 'Your membership has not arrived yet',
  egymNotSynced: 'The club’s booking system has not received your membership yet. This usually happens within minutes of joining. Please try again later.',
  egymUnavailableTitle: 'Signing in through EGYM is not possible right now',
  egymUnavailable: 'Please try again in a few minutes.',

  location: 'Location',
  timesIn: 'Times in {zone}',
  today: 'Today',
  noClasses: 'No classes on this day.',
  pickLocation: 'Choose a location to see its classes.',
  placesFree: '{free} of {capacity} places free',
  noPlacesFree: 'No places free',
  book: 'Book',
  cancelBooking: 'Cancel booking',
  booked: 'You are booked',
  joinWaitlist: 'Join the waitlist',
  leaveWaitlist: 'Leave the waitlist',
  waitlistPosition: 'You are number {position} on the waitlist',
  waiting: '{count} on the waitlist',
  didBook: 'Booked: {name}',
  didCancel: 'Booking cancelled: {name}',
  didJoin: 'You are on the waitlist: {name}',
  didLeave: 'You left the waitlist: {name}',

  noPackage: 'Your membership does not include this class.',
  full: 'This class is full.',
  started: 'This class has already started.',
  alreadyBooked: 'You have already booked this class.',
  sessionCancelled: 'This class has been cancelled.',
  notBooked: 'This booking can no longer be cancelled.',
  notFull: 'This class has places left: book it instead.',
  alreadyOnWaitlist: 'You are already on the waitlist.',
  waitlistFull: 'The waitlist is full too.',
  noWaitlist: 'There is no waitlist for this class.',
  waitlistClosed: 'The waitlist has closed: nobody moves up this close to the start.',
  notWaiting: 'You are no longer on this waitlist.',

  upcoming: 'Coming up',
  earlier: 'Earlier',
  noBookings: 'You have no bookings yet.',
  status_booked: 'Booked',
  status_cancelled: 'Cancelled',
  status_attended: 'Attended',
  status_no_show: 'Missed',
};

export type TextKey = keyof typeof en;

const de: Record<TextKey, string> = {
  classes: 'Kurse',
  myBookings: 'Meine Buchungen',
  signOut: 'Abmelden',
  loading: 'Wird geladen …',
  tryAgain: 'Erneut versuchen',
  offline: 'Keine Verbindung zum Club. Prüfe deine Internetverbindung und versuche es erneut.',
  serverError: 'Bei uns ist etwas schiefgegangen. Bitte versuche es gleich noch einmal.',

  signInTitle: 'Anmelden und Kurse buchen',
  signInHint: 'Mit deiner E-Mail-Adresse oder Mitgliedsnummer und dem Passwort deiner Club-Mitgliedschaft.',
  login: 'E-Mail oder Mitgliedsnummer',
  password: 'Passwort',
  signIn: 'Anmelden',
  fillBoth: 'Gib deine E-Mail-Adresse oder Mitgliedsnummer und dein Passwort ein.',
  wrongCredentials: 'E-Mail, Mitgliedsnummer oder Passwort stimmen nicht. Bitte prüfe sie und versuche es erneut.',
  throttled: 'Zu viele Fehlversuche. Zu deiner Sicherheit ist die Anmeldung für {minutes} Min. gesperrt. Bitte versuche es danach erneut.',
  checkUnavailable: 'Dein Passwort kann gerade nicht geprüft werden: Das Mitgliedersystem des Clubs ist nicht erreichbar. Bitte versuche es in ein paar Minuten erneut.',
  signedOut: 'Du wurdest abgemeldet. Bitte melde dich erneut an.',

  egymExpiredTitle: 'Deine EGYM-Anmeldung ist abgelaufen',
  egymExpired: 'Schließe diese Seite und öffne sie erneut in der EGYM-App.',
  egymRejectedTitle: 'Wir konnten dich nicht erkennen',
  egymRejected: 'Der Club konnte die Anmeldung der EGYM-App nicht annehmen. Bitte sag dem Club-Team Bescheid, damit es die Verbindung zu EGYM prüft.',
  egymAmbiguousTitle: 'Mehrere Mitglieder haben deine E-Mail-Adresse',
  egymAmbiguous: 'Mehrere Mitgliedschaften im Club haben dieselbe E-Mail-Adresse (zum Beispiel in einer Familie), daher wissen wir nicht, welche deine ist. Bitte lass dein EGYM-Konto vom Club-Team mit deiner Mitgliedschaft verknüpfen.',
  egymNotSyncedTitle: 'Deine Mitgliedschaft ist noch nicht angekommen',
  egymNotSynced: 'Das Buchungssystem des Clubs hat deine Mitgliedschaft noch nicht erhalten. Das geschieht meist wenige Minuten nach dem Beitritt. Bitte versuche es später erneut.',
  egymUnavailableTitle: 'Die Anmeldung über EGYM ist gerade nicht möglich',
  egymUnavailable: 'Bitte versuche es in ein paar Minuten erneut.',

  location: 'Standort',
  timesIn: 'Zeiten in {zone}',
  today: 'Heute',
  noClasses: 'An diesem Tag gibt es keine Kurse.',
  pickLocation: 'Wähle einen Standort, um seine Kurse zu sehen.',
  placesFree: '{free} von {capacity} Plätzen frei',
  noPlacesFree: 'Keine Plätze frei',
  book: 'Buchen',
  cancelBooking: 'Buchung stornieren',
  booked: 'Du bist angemeldet',
  joinWaitlist: 'Auf die Warteliste',
  leaveWaitlist: 'Warteliste verlassen',
  waitlistPosition: 'Du bist Nummer {position} auf der Warteliste',
  waiting: '{count} auf der Warteliste',
  didBook: 'Gebucht: {name}',
  didCancel: 'Buchung storniert: {name}',
  didJoin: 'Du stehst auf der Warteliste: {name}',
  didLeave: 'Du hast die Warteliste verlassen: {name}',

  noPackage: 'Deine Mitgliedschaft umfasst diesen Kurs nicht.',
  full: 'Dieser Kurs ist ausgebucht.',
  started: 'Dieser Kurs hat schon begonnen.',
  alreadyBooked: 'Du hast diesen Kurs schon gebucht.',
  sessionCancelled: 'Dieser Kurs fällt aus.',
  notBooked: 'Diese Buchung kann nicht mehr storniert werden.',
  notFull: 'In diesem Kurs sind noch Plätze frei: Buche ihn direkt.',
  alreadyOnWaitlist: 'Du stehst schon auf der Warteliste.',
  waitlistFull: 'Auch die Warteliste ist voll.',
  noWaitlist: 'Für diesen Kurs gibt es keine Warteliste.',
  waitlistClosed: 'Die Warteliste ist geschlossen: So kurz vor Beginn rückt niemand mehr nach.',
  notWaiting: 'Du stehst nicht mehr auf dieser Warteliste.',

  upcoming: 'Demnächst',
  earlier: 'Früher',
  noBookings: 'Du hast noch keine Buchungen.',
  status_booked: 'Gebucht',
  status_cancelled: 'Storniert',
  status_attended: 'Teilgenommen',
  status_no_show: 'Nicht erschienen',
};

export type Language = 'en' | 'de';
const TEXTS: Record<Language, Record<TextKey, string>> = { en, de };

let language: Language = 'en';

/** The first of the given language tags (de_DE, de-AT, en) that this app speaks, else English. */
export function pickLanguage(tags: readonly (string | undefined)[]): Language {
  for (const tag of tags) {
    const base = tag?.slice(0, 2).toLowerCase();
    if (base === 'en' || base === 'de') return base;
  }
  return 'en';
}

export function setLanguage(lang: Language): void {
  language = lang;
  document.documentElement.lang = lang;
  document.title = t('classes');
}

/** The locale for dates and times: German or English as spoken in the UK (24-hour clock, day before month). */
export function locale(): string {
  return language === 'de' ? 'de-DE' : 'en-GB';
}

export function t(key: TextKey, params: Record<string, string | number> = {}): string {
  return TEXTS[language][key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));
}

/** Whether a code the API answered (a refusal reason) has words here. */
export function isTextKey(code: string | undefined): code is TextKey {
  return code !== undefined && code in en;
}
