import { LANGS } from '../i18n';
import { lang, setLang, t } from '../state/lang';

export function LangSwitch() {
  return (
    <div class="segmented" role="group" aria-label={t('lang.label')}>
      {LANGS.map((code) => (
        <button
          key={code}
          type="button"
          lang={code}
          class="segment"
          aria-pressed={lang.value === code}
          onClick={() => setLang(code)}
        >
          {t(code === 'cs' ? 'lang.cs' : 'lang.en')}
        </button>
      ))}
    </div>
  );
}
