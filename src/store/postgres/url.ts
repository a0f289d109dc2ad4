// What of a PostgreSQL URL may be logged. (A module of its own: the SQLite default loads no driver for it.)

/** "host:port/database" of a PostgreSQL URL: what may be logged (never the user's password). */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return '(unparsable PostgreSQL URL)';
  }
}
