import { describe, expect, it } from 'vitest';
import { parseRoute } from './route';

describe('parseRoute', () => {
  it('knows the pages and sends anything else to the workspace', () => {
    expect(parseRoute('/')).toBe('/');
    expect(parseRoute('')).toBe('/');
    expect(parseRoute('/login')).toBe('/login');
    expect(parseRoute('/profile/')).toBe('/profile');
    expect(parseRoute('/admin//')).toBe('/admin');
    expect(parseRoute('/nowhere')).toBe('/');
  });
});
