// The widget's calls to the client API on the origin it was loaded from: JSON in and out, the
// client token as a bearer token, no cookies; an error answer becomes an HttpError with its code.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

/** `token`: the client token of the conversation (omitted for calls that need none). */
export async function call<T>(base: string, method: 'GET' | 'POST', path: string, body?: unknown, token?: string): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers['Authorization'] = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(new URL(path, base).href, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      credentials: 'omit',
      mode: 'cors',
    });
  } catch {
    throw new HttpError(0, 'network');
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: unknown } } | null)?.error;
    throw new HttpError(res.status, typeof err?.code === 'string' ? err.code : `http_${res.status}`);
  }
  return json as T;
}

/** POSTs a file's bytes as they are, with the client's token; answers the JSON reply. */
export async function upload<T>(base: string, path: string, file: Blob, token: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(new URL(path, base).href, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/octet-stream', Authorization: `Bearer ${token}` },
      body: file,
      credentials: 'omit',
      mode: 'cors',
    });
  } catch {
    throw new HttpError(0, 'network');
  }
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const err = (json as { error?: { code?: unknown } } | null)?.error;
    throw new HttpError(res.status, typeof err?.code === 'string' ? err.code : `http_${res.status}`);
  }
  return json as T;
}

/** A file the client API serves, as a URL of this page (for a picture's preview). */
export async function fetchBlobUrl(base: string, path: string, token: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(new URL(path, base).href, { headers: { Authorization: `Bearer ${token}` }, credentials: 'omit', mode: 'cors' });
  } catch {
    throw new HttpError(0, 'network');
  }
  if (!res.ok) throw new HttpError(res.status, `http_${res.status}`);
  return URL.createObjectURL(await res.blob());
}

/** Downloads a file the client API serves (with the client's token) under `name`. */
export async function download(base: string, path: string, token: string, name: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(new URL(path, base).href, { headers: { Authorization: `Bearer ${token}` }, credentials: 'omit', mode: 'cors' });
  } catch {
    throw new HttpError(0, 'network');
  }
  if (!res.ok) throw new HttpError(res.status, `http_${res.status}`);
  const url = URL.createObjectURL(await res.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
