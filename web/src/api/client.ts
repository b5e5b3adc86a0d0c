/**
 * A small fetch wrapper for the controller's API: sends the bearer token, decodes JSON, and turns
 * error statuses into typed errors. A 401 also tells the app to go back to the login screen.
 *
 * @example
 * const api = new ApiClient(() => session?.token, () => setSession(null));
 * const overview = await api.get<Overview>('/api/overview');
 */
import {
  ApiError,
  ForbiddenError,
  NotFoundError,
  RejectedInputError,
  SessionExpiredError,
} from './errors.ts';

export class ApiClient {
  constructor(
    private readonly token: () => string | undefined,
    private readonly onUnauthorized: () => void,
    private readonly base = '',
  ) {}

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /**
   * GET, with the controller's `X-Refresh-After-Ms` (0 when it is absent): above 0, the answer
   * misses a change the live feed announced, and asking again after that many ms gets it.
   */
  async getRead<T>(path: string): Promise<{ data: T; refreshAfterMs: number }> {
    let hint: string | null = null;
    const data = await this.request<T>('GET', path, undefined, (res) => {
      hint = res.headers.get('x-refresh-after-ms');
    });
    const refreshAfterMs = Number(hint ?? 0);
    return { data, refreshAfterMs: Number.isFinite(refreshAfterMs) ? refreshAfterMs : 0 };
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  put<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  private async request<T>(
    method: string,
    path: string,
    body?: unknown,
    onResponse?: (res: Response) => void,
  ): Promise<T> {
    const headers: Record<string, string> = {};
    const token = this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    onResponse?.(res);
    const text = await res.text();
    let data: unknown = undefined;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    if (res.ok) return data as T;
    const info = (data ?? {}) as { error?: string; issues?: string[] };
    const message = `${method} ${path}: ${info.error ?? res.statusText} (${res.status})`;
    const issues = Array.isArray(info.issues) ? info.issues : [];
    switch (res.status) {
      case 401:
        this.onUnauthorized();
        throw new SessionExpiredError(message, res.status);
      case 403:
        throw new ForbiddenError(message, res.status);
      case 404:
        throw new NotFoundError(message, res.status);
      case 400:
      case 422:
        throw new RejectedInputError(message, res.status, issues, data);
      default:
        throw new ApiError(message, res.status, issues);
    }
  }
}
