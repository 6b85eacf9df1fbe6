// Administration › Widget: the snippet a website needs, written from a group, a language and a
// colour, beside the real widget with those attributes (framed from /widget-preview).

import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/client';
import { adminGroups, loadAdminGroups } from '../../state/admin';
import { t } from '../../state/lang';
import type { CompanyInfo } from '../../types';
import { contrastWithWhite, snippetFor, type SnippetOptions } from '../../widgetSnippet';
import { ErrorAlert, failureText } from '../ErrorAlert';

const DEFAULT_COLOR = '#0f766e';

export function WidgetSnippet() {
  const [company, setCompany] = useState<CompanyInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [options, setOptions] = useState<SnippetOptions>({ group: null, lang: null, color: null });
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    Promise.all([api.company(), loadAdminGroups()])
      .then(([c]) => setCompany(c))
      .catch((err: unknown) => setError(failureText(err)));
  }, []);

  const set = (patch: Partial<SnippetOptions>) => {
    setOptions((o) => ({ ...o, ...patch }));
    setCopied(false);
  };
  const color = options.color ?? DEFAULT_COLOR;
  const contrast = contrastWithWhite(color);
  const snippet = company ? snippetFor(company.widget_url, company.slug, options) : '';
  const preview = company
    ? `/widget-preview?${new URLSearchParams({
        company: company.slug,
        ...(options.group ? { group: options.group } : {}),
        ...(options.lang ? { lang: options.lang } : {}),
        ...(options.color ? { color: options.color } : {}),
      }).toString()}`
    : '';

  return (
    <section class="card" aria-labelledby="widget-title">
      <h2 id="widget-title" class="section-title">
        {t('widget.title')}
      </h2>
      <p class="muted small">{t('widget.hint')}</p>
      <ErrorAlert text={error} />
      {company && (
        <div class="widget-builder">
          <div class="form">
            <label class="field">
              <span class="field-label">{t('widget.group')}</span>
              <select value={options.group ?? ''} onChange={(ev) => set({ group: ev.currentTarget.value || null })}>
                {adminGroups.value.map((g) => (
                  <option key={g.id} value={g.builtin ? '' : g.id}>
                    {g.name}
                  </option>
                ))}
              </select>
            </label>
            <label class="field">
              <span class="field-label">{t('widget.lang')}</span>
              <select
                value={options.lang ?? ''}
                onChange={(ev) => {
                  const v = ev.currentTarget.value;
                  set({ lang: v === 'cs' || v === 'en' ? v : null });
                }}
              >
                <option value="">{t('widget.langBrowser')}</option>
                <option value="cs">{t('lang.cs')}</option>
                <option value="en">{t('lang.en')}</option>
              </select>
            </label>
            <div class="field">
              <label class="field-label" for="widget-color">
                {t('widget.color')}
              </label>
              <div class="color-row">
                <input id="widget-color" type="color" value={color} onInput={(ev) => set({ color: ev.currentTarget.value.toLowerCase() })} />
                <code>{color}</code>
                {options.color && (
                  <button type="button" class="btn btn-small" onClick={() => set({ color: null })}>
                    {t('widget.colorDefault')}
                  </button>
                )}
              </div>
              {contrast < 4.5 && (
                <span class="field-error" role="status">
                  {t('widget.lowContrast', { ratio: contrast.toFixed(1) })}
                </span>
              )}
            </div>
            <label class="field">
              <span class="field-label">{t('widget.snippet')}</span>
              <textarea class="snippet" readOnly rows={4} value={snippet} onFocus={(ev) => ev.currentTarget.select()} />
              <span class="field-hint">{t('widget.snippetHint')}</span>
            </label>
            <div class="form-actions">
              <button
                type="button"
                class="btn btn-primary"
                onClick={() => {
                  void navigator.clipboard
                    ?.writeText(snippet)
                    .then(() => setCopied(true))
                    .catch(() => undefined);
                }}
              >
                {copied ? t('keys.copied') : t('widget.copy')}
              </button>
            </div>
          </div>
          <div class="widget-preview">
            <p class="field-label">{t('widget.preview')}</p>
            <iframe key={preview} src={preview} title={t('widget.previewTitle')} class="preview-frame" />
            <p class="field-hint">{t('widget.previewHint')}</p>
          </div>
        </div>
      )}
    </section>
  );
}
