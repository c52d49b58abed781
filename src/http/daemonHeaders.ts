/**
 * What the CLI and the daemon agree on when `relaywatch explain` asks the running daemon
 * (cli/daemonClient.ts): where it listens, and the headers with which it says which host it serves.
 */

/** Where the daemon listens, under the host root (the systemd unit's `serve --socket`). */
export const DEFAULT_SOCKET = '/run/relaywatch/http.sock';

/** The host root the daemon serves (URI-encoded). */
export const ROOT_HEADER = 'x-relaywatch-root';

/** Set while the daemon still builds its login index: the CLI then answers by itself. */
export const INDEX_BUILDING_HEADER = 'x-relaywatch-index-building';

/**
 * Asks the daemon for `relaywatch explain`'s output itself rather than the report (json, text or
 * verbose): the Perl quick path of the installed command (plugin/bin/relaywatch-explain) prints it
 * as it comes, since it cannot run the CLI's printer.
 */
export const CLI_OUTPUT_HEADER = 'x-relaywatch-cli-output';

/** With CLI output: the command's exit status. */
export const CLI_EXIT_HEADER = 'x-relaywatch-cli-exit';

/** With CLI output: what the command writes to stderr, percent-encoded (encodeURIComponent). */
export const CLI_STDERR_HEADER = 'x-relaywatch-cli-stderr';
