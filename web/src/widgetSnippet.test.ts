import { describe, expect, it } from 'vitest';
import { contrastWithWhite, snippetFor } from './widgetSnippet';

describe('the widget snippet', () => {
  it('names only what was chosen', () => {
    const url = 'https://chat.example.com/widget.js';
    expect(snippetFor(url, 'demo', { group: null, lang: null, color: null })).toBe(
      '<script src="https://chat.example.com/widget.js" data-company="demo" async></script>',
    );
    expect(snippetFor(url, 'demo', { group: 'grp_1', lang: 'cs', color: '#1d4ed8' })).toBe(
      '<script src="https://chat.example.com/widget.js" data-company="demo" data-group="grp_1" data-lang="cs" data-color="#1d4ed8" async></script>',
    );
    expect(snippetFor(url, 'demo', { group: '"><b>', lang: null, color: null })).not.toContain('<b>');
  });

  it('measures white text on the colour', () => {
    expect(contrastWithWhite('#000000')).toBeCloseTo(21, 0);
    expect(contrastWithWhite('#ffffff')).toBeCloseTo(1, 5);
    expect(contrastWithWhite('#0f766e')).toBeGreaterThan(4.5);
    expect(contrastWithWhite('#facc15')).toBeLessThan(4.5);
  });
});
