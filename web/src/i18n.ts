// All user-visible strings, in English and Czech. The English dictionary defines the keys;
// the Czech one is typed as Record<MessageKey, string>, so a missing or extra key is a compile error.

export type Lang = 'cs' | 'en';
export const LANGS: readonly Lang[] = ['cs', 'en'];
export const LANG_STORAGE_KEY = 'hovor.lang';

const en = {
  'app.name': 'Hovor',
  'app.tagline': 'Customer contact, calmly.',
  'common.loading': 'Loading…',
  'common.error': 'Something went wrong: {message}',
  'common.retry': 'Try again',

  'login.title': 'Log in',
  'login.email': 'Email',
  'login.password': 'Password',
  'login.submit': 'Log in',
  'login.submitting': 'Logging in…',
  'login.invalid': 'Wrong email or password.',
  'login.tooMany': 'Too many attempts. Please try again later.',
  'login.failed': 'Login failed. Please try again.',

  'lang.label': 'Language',
  'lang.cs': 'Čeština',
  'lang.en': 'English',

  'status.online': 'Online',
  'status.away': 'Away',
  'status.break': 'Break',
  'status.offline': 'Offline',
  'status.disconnected': 'Disconnected',
  'pause.paid': 'paid',
  'pause.unpaid': 'unpaid',

  'header.profileButton': 'Profile: {name}, {status}',
  'header.reconnecting': 'Reconnecting…',
  'header.workspace': 'Workspace',
  'header.admin': 'Administration',
  'header.nav': 'Main navigation',

  'menu.label': 'Profile menu',
  'menu.status': 'Status',
  'menu.profile': 'My profile',
  'menu.language': 'Language',
  'menu.logout': 'Log out',
  'menu.changeFailed': 'Could not change the status: {message}',

  'panel.label': 'Operator panel',
  'tabs.channels': 'Channels',
  'tabs.invitation': 'Invitation',
  'tabs.notifications': 'Notifications',
  'panel.channels.later': 'Your assigned channels and their switches arrive in a later version of Hovor.',
  'panel.invitation.later': 'Invitations to a conversation arrive in a later version of Hovor.',
  'panel.notifications.later': 'Notification settings arrive in a later version of Hovor.',
  'panel.statusHint': 'Change your status with the Profile button in the top-right corner.',
  'panel.greeting': 'Hello, {name}',

  'team.title': 'Team',
  'team.name': 'Name',
  'team.role': 'Role',
  'team.status': 'Status',
  'team.since': 'Since',
  'team.empty': 'No operators yet.',
  'team.summary': '{online} online · {away} away or on a break · {offline} offline',

  'role.admin': 'Administrator',
  'role.supervisor': 'Supervisor',
  'role.operator': 'Operator',

  'profile.title': 'My profile',
  'profile.name': 'Name',
  'profile.email': 'Email',
  'profile.role': 'Role',
  'profile.today': 'Time today',
  'profile.history': 'Recent status changes',
  'profile.noHistory': 'No status changes today.',
  'profile.back': 'Back to workspace',
  'profile.status': 'Status',
  'profile.time': 'Time',
  'profile.now': 'now',
  'profile.current': 'Current status',

  'cause.manual': 'Changed by the operator',
  'cause.login': 'Logged in',
  'cause.logout': 'Logged out',
  'cause.disconnect': 'Connection lost',
  'cause.reconnect': 'Reconnected',
  'cause.missed_offer': 'Missed an offered client',
  'cause.supervisor': 'Changed by a supervisor',
  'cause.api': 'Changed through the API',

  'admin.title': 'Administration',
  'admin.pauseTypes': 'Pause types',
  'admin.pauseTypesHint': 'Operators choose these in the Profile menu. Deleted types are kept as archived, so past statistics stay correct.',
  'admin.name': 'Name',
  'admin.paid': 'Paid',
  'admin.state': 'State',
  'admin.actions': 'Actions',
  'admin.active': 'Active',
  'admin.archived': 'Archived',
  'admin.add': 'Add',
  'admin.newPause': 'New pause type',
  'admin.rename': 'Rename',
  'admin.save': 'Save',
  'admin.cancel': 'Cancel',
  'admin.delete': 'Delete',
  'admin.renameLabel': 'New name for {name}',
  'admin.paidLabel': '{name} is paid',
  'admin.settings': 'Company settings',
  'admin.statusAfterLogin': 'Status after login',
  'admin.grace': 'Disconnect grace period (seconds)',
  'admin.graceHint': 'How long an operator who lost the connection stays "Disconnected" before being treated as offline.',
  'admin.saved': 'Saved.',
  'admin.forbidden': 'Only administrators can open this page.',

  'duration.lessThanMinute': '< 1 min',
} as const satisfies Record<string, string>;

export type MessageKey = keyof typeof en;
export type Dictionary = Record<MessageKey, string>;

const cs: Dictionary = {
  'app.name': 'Hovor',
  'app.tagline': 'Kontakt se zákazníky v klidu.',
  'common.loading': 'Načítám…',
  'common.error': 'Něco se nepovedlo: {message}',
  'common.retry': 'Zkusit znovu',

  'login.title': 'Přihlášení',
  'login.email': 'E-mail',
  'login.password': 'Heslo',
  'login.submit': 'Přihlásit se',
  'login.submitting': 'Přihlašuji…',
  'login.invalid': 'Nesprávný e-mail nebo heslo.',
  'login.tooMany': 'Příliš mnoho pokusů. Zkuste to prosím později.',
  'login.failed': 'Přihlášení se nepovedlo. Zkuste to prosím znovu.',

  'lang.label': 'Jazyk',
  'lang.cs': 'Čeština',
  'lang.en': 'English',

  'status.online': 'Online',
  'status.away': 'Pryč',
  'status.break': 'Pauza',
  'status.offline': 'Offline',
  'status.disconnected': 'Odpojeno',
  'pause.paid': 'placená',
  'pause.unpaid': 'neplacená',

  'header.profileButton': 'Profil: {name}, {status}',
  'header.reconnecting': 'Obnovuji spojení…',
  'header.workspace': 'Pracovní plocha',
  'header.admin': 'Administrace',
  'header.nav': 'Hlavní navigace',

  'menu.label': 'Nabídka profilu',
  'menu.status': 'Stav',
  'menu.profile': 'Můj profil',
  'menu.language': 'Jazyk',
  'menu.logout': 'Odhlásit se',
  'menu.changeFailed': 'Stav se nepodařilo změnit: {message}',

  'panel.label': 'Panel operátora',
  'tabs.channels': 'Kanály',
  'tabs.invitation': 'Pozvánka',
  'tabs.notifications': 'Notifikace',
  'panel.channels.later': 'Přiřazené kanály a jejich přepínače přibudou v některé z příštích verzí Hovoru.',
  'panel.invitation.later': 'Pozvánky do konverzace přibudou v některé z příštích verzí Hovoru.',
  'panel.notifications.later': 'Nastavení notifikací přibude v některé z příštích verzí Hovoru.',
  'panel.statusHint': 'Svůj stav změníte tlačítkem Profil v pravém horním rohu.',
  'panel.greeting': 'Dobrý den, {name}',

  'team.title': 'Tým',
  'team.name': 'Jméno',
  'team.role': 'Role',
  'team.status': 'Stav',
  'team.since': 'Od',
  'team.empty': 'Zatím žádní operátoři.',
  'team.summary': '{online} online · {away} pryč nebo na pauze · {offline} offline',

  'role.admin': 'Administrátor',
  'role.supervisor': 'Supervizor',
  'role.operator': 'Operátor',

  'profile.title': 'Můj profil',
  'profile.name': 'Jméno',
  'profile.email': 'E-mail',
  'profile.role': 'Role',
  'profile.today': 'Čas dnes',
  'profile.history': 'Poslední změny stavu',
  'profile.noHistory': 'Dnes zatím žádné změny stavu.',
  'profile.back': 'Zpět na pracovní plochu',
  'profile.status': 'Stav',
  'profile.time': 'Čas',
  'profile.now': 'teď',
  'profile.current': 'Aktuální stav',

  'cause.manual': 'Změnil operátor',
  'cause.login': 'Přihlášení',
  'cause.logout': 'Odhlášení',
  'cause.disconnect': 'Ztráta spojení',
  'cause.reconnect': 'Obnovení spojení',
  'cause.missed_offer': 'Nepřijatý nabídnutý klient',
  'cause.supervisor': 'Změnil supervizor',
  'cause.api': 'Změna přes API',

  'admin.title': 'Administrace',
  'admin.pauseTypes': 'Typy pauz',
  'admin.pauseTypesHint': 'Operátoři je vybírají v nabídce Profil. Smazané typy zůstávají jako archivované, aby staré statistiky platily.',
  'admin.name': 'Název',
  'admin.paid': 'Placená',
  'admin.state': 'Stav',
  'admin.actions': 'Akce',
  'admin.active': 'Aktivní',
  'admin.archived': 'Archivovaná',
  'admin.add': 'Přidat',
  'admin.newPause': 'Nový typ pauzy',
  'admin.rename': 'Přejmenovat',
  'admin.save': 'Uložit',
  'admin.cancel': 'Zrušit',
  'admin.delete': 'Smazat',
  'admin.renameLabel': 'Nový název pro {name}',
  'admin.paidLabel': '{name} je placená',
  'admin.settings': 'Nastavení firmy',
  'admin.statusAfterLogin': 'Stav po přihlášení',
  'admin.grace': 'Ochranná doba po odpojení (sekundy)',
  'admin.graceHint': 'Jak dlouho zůstává operátor, kterému spadlo spojení, ve stavu „Odpojeno“, než se s ním zachází jako s offline.',
  'admin.saved': 'Uloženo.',
  'admin.forbidden': 'Tuto stránku mohou otevřít jen administrátoři.',

  'duration.lessThanMinute': '< 1 min',
};

export const DICTIONARIES: Readonly<Record<Lang, Dictionary>> = { en, cs };

export type Params = Readonly<Record<string, string | number>>;

/** Looks up a message and fills `{placeholders}` from params. */
export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  const template = DICTIONARIES[lang][key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

export function isLang(value: unknown): value is Lang {
  return value === 'cs' || value === 'en';
}

/** A stored choice wins; otherwise cs* in the browser's language means Czech, anything else English. */
export function detectLang(navigatorLanguage: string | null | undefined, stored: string | null | undefined): Lang {
  if (isLang(stored)) return stored;
  const nav = (navigatorLanguage ?? '').trim().toLowerCase();
  return nav === 'cs' || nav.startsWith('cs-') || nav.startsWith('cs_') ? 'cs' : 'en';
}

/** BCP 47 locale used for dates and times. */
export function localeOf(lang: Lang): string {
  return lang === 'cs' ? 'cs-CZ' : 'en-GB';
}
