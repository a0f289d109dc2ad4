// The `git` section of the config (README: Repositories): where `owner/name` repos are fetched from, the token
// sent to that host, and the limits of a clone (src/repos).
import { z } from 'zod';
import { boolean, byteSize, nonEmptyString, optional, section, seconds } from './fields.js';

export const gitSchema = section({
  /** `owner/name` is resolved against this URL (a self-hosted GitLab works: https://gitlab.example.com) */
  base_url: z
    .url({ protocol: /^(https?|ssh|file)$/, error: () => 'expected an https://, http://, ssh:// or file:// URL' })
    .default('https://github.com'),
  /**
   * Sent as an HTTP Authorization header (Basic, `username:token`), only to the host of base_url, through git's
   * environment: never in argv, the log, error messages or an agent's environment. Use ${ENV_VAR} to keep it out of
   * the file.
   */
  token: optional(nonEmptyString('a token')),
  /** the user name paired with the token (GitHub: x-access-token; GitLab: oauth2) */
  username: nonEmptyString('a user name').default('x-access-token'),
  clone_timeout_secs: seconds().default(120),
  /** the checkout (working tree and .git) may not grow past this */
  max_clone_bytes: byteSize().default(1024 * 1024 * 1024),
  /** file:// repos (and plain local paths) read the gateway host's disk: off unless an operator turns it on */
  allow_file_urls: boolean().default(false),
});

export type GitConfig = z.output<typeof gitSchema>;
