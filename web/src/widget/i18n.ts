// The widget's strings, English and Czech. The Czech dictionary is typed by the English keys, so a
// missing or extra key is a compile error (the same scheme as the app's dictionary, kept separate so
// the widget bundle stays small).

export type WidgetLang = 'cs' | 'en';

const en = {
  videoCall: 'Video call',
  audioCall: 'Audio call',
  callIntro: 'Or talk to us:',
  callWaiting: 'Calling… an operator will answer shortly.',
  cancelCall: 'Cancel the call',
  callInvite: '{name} invites you to a video call.',
  callInviteAudio: '{name} invites you to an audio call.',
  acceptCall: 'Accept',
  acceptAudio: 'Audio only',
  declineCall: 'Decline',
  askVideo: 'Ask for a video call',
  askCallPending: 'Waiting for the operator to answer your call…',
  callUnavailable: 'A call is not possible right now; the chat goes on.',
  callConnecting: 'Connecting the call…',
  callConnected: 'In a call · {time}',
  callFailed: 'The call could not be connected: your network or a firewall blocks it. Let us go on in the chat.',
  mute: 'Mute',
  unmute: 'Unmute',
  cameraOff: 'Turn camera off',
  cameraOn: 'Turn camera on',
  backToChat: 'Back to chat',
  operatorVideo: 'The operator’s video',
  yourVideo: 'Your camera',
  operatorMuted: 'The operator has muted their microphone.',
  operatorCameraOff: 'The operator’s camera is off.',
  micBlocked: 'Your browser blocks the microphone for this page. Allow it in the address bar to be heard.',
  cameraBlocked: 'Your browser blocks the camera for this page; the operator hears you but does not see you.',
  connectVideo: 'Video call',
  noticeCallStartedVideo: 'Video call started',
  noticeCallStartedAudio: 'Audio call started',
  noticeCallDeclinedByYou: 'You declined the call',
  noticeCallDeclinedByOperator: 'The operator declined the call',
  noticeCallCancelled: 'The call was cancelled',
  noticeCallEnded: 'The call ended after {time}',
  ratingQuestion: 'How was the conversation?',
  ratingStars: '{count} star|{count} stars',
  ratingComment: 'Anything to add? (optional)',
  ratingSend: 'Send rating',
  ratingChoose: 'Choose 1 to 5 stars first.',
  ratingFailed: 'The rating could not be sent. Please try again.',
  ratingThanks: 'Thank you for your rating.',
  transcript: 'Download the conversation',
  transcriptFailed: 'Download failed — try again',
  transcriptFile: 'conversation',
  transcriptEmail: 'E-mail it to {email}',
  transcriptEmailed: 'The conversation was sent to {email}.',
  transcriptEmailFailed: 'The e-mail could not be sent. Please try again later.',
  operatorTyping: '{name} is typing…',
  sendFile: 'Send a photo or a file',
  sendingFile: 'Sending {name}…',
  fileTooLarge: '{name} is too large: at most {max} MB.',
  fileKindNotTaken: '{name} cannot be sent: this kind of file is not taken here.',
  fileNotSent: '{name} could not be sent. Please try again.',
  fileEmpty: '{name} is empty.',
  download: 'Download {name} ({size})',
  picture: 'Picture {name}',
  button: 'Chat with us',
  close: 'Close the chat window',
  title: 'Chat with us',
  online: 'We are online',
  busy: 'All operators are busy, you will wait a bit.',
  offline: 'We are offline now. Please come back later — we will be glad to help.',
  offlineTitle: 'We are offline',
  startIntro: 'Ask us anything. Name and e-mail are optional.',
  name: 'Your name',
  email: 'E-mail',
  start: 'Start chat',
  starting: 'Starting…',
  startFailed: 'The chat could not start. Please try again.',
  noOperator: 'Nobody can take a chat right now. Please try again later.',
  queue: 'You are number {position} in the queue, about {wait}.',
  queueNoWait: 'You are number {position} in the queue.',
  queueSoon: 'You are number {position} in the queue; it should take less than a minute.',
  waiting: 'Connecting you with an operator…',
  joined: '{name} has joined the chat.',
  handedOver: '{name} has passed you on to a colleague.',
  minutes: '{count} min',
  message: 'Message',
  send: 'Send',
  sending: 'Sending…',
  notSent: 'Not sent yet — will retry',
  tooLong: 'The message is too long (at most {max} characters).',
  tooMany: 'You are sending too fast. Please wait a moment.',
  you: 'You',
  operator: 'Operator',
  system: 'Info',
  leave: 'End chat',
  ended: 'The conversation has ended.',
  newChat: 'Start a new chat',
  reconnecting: 'Reconnecting…',
  messages: 'Messages',
  invitationTitle: 'Conversation with {name}',
  invitationIntro: '{name} has invited you to a conversation. Connect when you are ready.',
  connect: 'Connect',
  connecting: 'Connecting…',
  connectAgain: 'Connect again',
  invitationWaiting: '{name} is not online right now — you will be connected as soon as they are.',
  invitationOffered: 'Connecting you with {name}…',
  invitationUsed: 'This invitation has been used already. Ask for a new one.',
  invitationInvalidated: 'This invitation has been invalidated and can no longer be used.',
  invitationUnknown: 'We do not know this invitation. Check the link.',
  invitationFailed: 'Could not connect. Please try again.',
  theOperator: 'the operator',
} as const satisfies Record<string, string>;

export type WidgetKey = keyof typeof en;

const cs: Record<WidgetKey, string> = {
  operatorTyping: '{name} píše…',
  sendFile: 'Poslat fotku nebo soubor',
  sendingFile: 'Odesílá se {name}…',
  fileTooLarge: '{name} je příliš velký: nejvýš {max}\u00a0MB.',
  fileKindNotTaken: '{name} nelze poslat: tento druh souboru se zde nepřijímá.',
  fileNotSent: '{name} se nepodařilo odeslat. Zkuste to prosím znovu.',
  fileEmpty: '{name} je prázdný.',
  download: 'Stáhnout {name} ({size})',
  picture: 'Obrázek {name}',
  transcript: 'Stáhnout konverzaci',
  transcriptFailed: 'Stažení se nepodařilo – zkuste znovu',
  transcriptFile: 'konverzace',
  transcriptEmail: 'Poslat na {email}',
  transcriptEmailed: 'Konverzaci jsme poslali na {email}.',
  transcriptEmailFailed: 'E-mail se nepodařilo odeslat. Zkuste to prosím později.',
  ratingQuestion: 'Jak jste byli spokojeni?',
  ratingStars: '{count}\u00a0hvězdička|{count}\u00a0hvězdičky|{count}\u00a0hvězdiček',
  ratingComment: 'Chcete něco dodat? (nepovinné)',
  ratingSend: 'Odeslat hodnocení',
  ratingChoose: 'Nejdřív vyberte 1 až 5 hvězdiček.',
  ratingFailed: 'Hodnocení se nepodařilo odeslat. Zkuste to prosím znovu.',
  ratingThanks: 'Děkujeme za hodnocení.',
  videoCall: 'Videohovor',
  audioCall: 'Audiohovor',
  callIntro: 'Nebo si s\u00a0námi promluvte:',
  callWaiting: 'Voláme… operátor to za chvíli vezme.',
  cancelCall: 'Zrušit hovor',
  callInvite: '{name} vás zve k\u00a0videohovoru.',
  callInviteAudio: '{name} vás zve k\u00a0audiohovoru.',
  acceptCall: 'Přijmout',
  acceptAudio: 'Jen zvuk',
  declineCall: 'Odmítnout',
  askVideo: 'Požádat o\u00a0videohovor',
  askCallPending: 'Čekáme, až operátor hovor přijme…',
  callUnavailable: 'Hovor teď není možný, pokračujeme v\u00a0chatu.',
  callConnecting: 'Spojujeme hovor…',
  callConnected: 'Probíhá hovor · {time}',
  callFailed: 'Hovor se nepodařilo spojit: vaše síť nebo firewall ho blokuje. Pokračujme v\u00a0chatu.',
  mute: 'Vypnout mikrofon',
  unmute: 'Zapnout mikrofon',
  cameraOff: 'Vypnout kameru',
  cameraOn: 'Zapnout kameru',
  backToChat: 'Zpět do chatu',
  operatorVideo: 'Video operátora',
  yourVideo: 'Vaše kamera',
  operatorMuted: 'Operátor si vypnul mikrofon.',
  operatorCameraOff: 'Operátor má vypnutou kameru.',
  micBlocked: 'Prohlížeč této stránce zakazuje mikrofon. Povolte ho v\u00a0adresním řádku, ať vás operátor slyší.',
  cameraBlocked: 'Prohlížeč této stránce zakazuje kameru; operátor vás slyší, ale nevidí.',
  connectVideo: 'Videohovor',
  noticeCallStartedVideo: 'Videohovor začal',
  noticeCallStartedAudio: 'Audiohovor začal',
  noticeCallDeclinedByYou: 'Hovor jste odmítli',
  noticeCallDeclinedByOperator: 'Operátor hovor odmítl',
  noticeCallCancelled: 'Hovor byl zrušen',
  noticeCallEnded: 'Hovor skončil po {time}',
  button: 'Napište nám',
  close: 'Zavřít okno chatu',
  title: 'Napište nám',
  online: 'Jsme online',
  busy: 'Všichni operátoři jsou právě vytíženi, chvíli si počkáte.',
  offline: 'Teď nejsme k\u00a0zastižení. Zkuste to prosím později – rádi vám pomůžeme.',
  offlineTitle: 'Jsme offline',
  startIntro: 'Zeptejte se nás na cokoli. Jméno a\u00a0e-mail vyplňovat nemusíte.',
  name: 'Vaše jméno',
  email: 'E-mail',
  start: 'Začít chat',
  starting: 'Začínám…',
  startFailed: 'Chat se nepodařilo zahájit. Zkuste to prosím znovu.',
  noOperator: 'Teď nikdo nemůže chat převzít. Zkuste to prosím později.',
  queue: 'Jste {position}. ve frontě, čekání potrvá asi {wait}.',
  queueNoWait: 'Jste {position}. ve frontě.',
  queueSoon: 'Jste {position}. ve frontě, mělo by to trvat méně než minutu.',
  waiting: 'Spojujeme vás s\u00a0operátorem…',
  joined: 'Je tu pro vás {name}.',
  handedOver: '{name} vás přepojuje.',
  // The forms for 1 / 2–4 / 5 and more, chosen by wtCount (the accusative: "čekání potrvá asi …").
  minutes: '{count}\u00a0minutu|{count}\u00a0minuty|{count}\u00a0minut',
  message: 'Zpráva',
  send: 'Odeslat',
  sending: 'Odesílám…',
  notSent: 'Zatím neodesláno – zkusíme to znovu',
  tooLong: 'Zpráva je příliš dlouhá (nejvýše {max} znaků).',
  tooMany: 'Posíláte zprávy příliš rychle. Chvilku prosím počkejte.',
  you: 'Vy',
  operator: 'Operátor',
  system: 'Info',
  leave: 'Ukončit chat',
  ended: 'Konverzace skončila.',
  newChat: 'Začít nový chat',
  reconnecting: 'Obnovuji spojení…',
  messages: 'Zprávy',
  invitationTitle: 'Konverzace: {name}',
  invitationIntro: 'Do konverzace vás zve {name}. Až se vám to bude hodit, klikněte na Spojit.',
  connect: 'Spojit',
  connecting: 'Spojuji…',
  connectAgain: 'Spojit znovu',
  invitationWaiting: 'Čekáme, až bude {name} online. Pak vás hned spojíme.',
  invitationOffered: 'Spojujeme vás. Čekáme, až {name} chat přijme…',
  invitationUsed: 'Tato pozvánka už byla použita. Požádejte o\u00a0novou.',
  invitationInvalidated: 'Tato pozvánka byla zrušena a\u00a0už ji nelze použít.',
  invitationUnknown: 'Tuto pozvánku neznáme. Zkontrolujte prosím odkaz.',
  invitationFailed: 'Spojení se nepodařilo. Zkuste to prosím znovu.',
  theOperator: 'operátor',
};

export const WIDGET_DICTIONARIES: Readonly<Record<WidgetLang, Record<WidgetKey, string>>> = { en, cs };

export function widgetLang(navigatorLanguage: string | null | undefined, forced?: string | null): WidgetLang {
  if (forced === 'cs' || forced === 'en') return forced;
  return (navigatorLanguage ?? '').trim().toLowerCase().startsWith('cs') ? 'cs' : 'en';
}

export function wt(lang: WidgetLang, key: WidgetKey, params?: Readonly<Record<string, string | number>>): string {
  return fill(WIDGET_DICTIONARIES[lang][key], params);
}

function fill(template: string, params?: Readonly<Record<string, string | number>>): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

/**
 * Which form a count takes. Czech has three: 1 (minutu), 2–4 and fractions (minuty), 0 and 5+
 * (minut); English two: 1 and the rest.
 */
export function pluralForm(lang: WidgetLang, count: number): 0 | 1 | 2 {
  const n = Math.abs(count);
  if (n === 1) return 0;
  if (lang === 'en') return 1;
  return (n >= 2 && n <= 4) || !Number.isInteger(n) ? 1 : 2;
}

/** A text with a count: its forms are separated by "|" in pluralForm's order (one form is fine). */
export function wtCount(lang: WidgetLang, key: WidgetKey, count: number): string {
  const forms = WIDGET_DICTIONARIES[lang][key].split('|');
  const template = forms[Math.min(pluralForm(lang, count), forms.length - 1)] ?? '';
  return fill(template, { count });
}
