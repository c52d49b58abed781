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
