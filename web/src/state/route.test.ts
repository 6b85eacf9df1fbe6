import { describe, expect, it } from 'vitest';
import { conversationInPath, parseRoute } from './route';

describe('parseRoute', () => {
  it('knows the pages and sends anything else to the workspace', () => {
    expect(parseRoute('/')).toBe('/');
    expect(parseRoute('')).toBe('/');
    expect(parseRoute('/login')).toBe('/login');
    expect(parseRoute('/profile/')).toBe('/profile');
    expect(parseRoute('/admin//')).toBe('/admin');
    expect(parseRoute('/admin/users')).toBe('/admin/users');
    expect(parseRoute('/wallboard')).toBe('/wallboard');
    expect(parseRoute('/admin/groups/')).toBe('/admin/groups');
    expect(parseRoute('/admin/nothing')).toBe('/');
    expect(parseRoute('/nowhere')).toBe('/');
  });
});

describe('conversationInPath', () => {
  it('reads the open conversation from /c/<id>, and nothing else', () => {
    expect(conversationInPath('/c/ses_abc123')).toBe('ses_abc123');
    expect(conversationInPath('/c/ses_abc123/')).toBe('ses_abc123');
    expect(parseRoute('/c/ses_abc123')).toBe('/');
    expect(conversationInPath('/')).toBeNull();
    expect(conversationInPath('/c/')).toBeNull();
    expect(conversationInPath('/c/a/b')).toBeNull();
    expect(conversationInPath('/c/<script>')).toBeNull();
  });
});
