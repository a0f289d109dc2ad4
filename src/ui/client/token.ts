// The API token: kept in this tab's session storage only (gone when the tab closes, never shared with other tabs),
// sent as the bearer header, never put in a URL, never logged.
import { signal } from './signal.js';

const KEY = 'aintegrix.token';

export const token = signal<string | null>(sessionStorage.getItem(KEY));

export function signIn(value: string): void {
  sessionStorage.setItem(KEY, value);
  token.set(value);
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
  token.set(null);
}
