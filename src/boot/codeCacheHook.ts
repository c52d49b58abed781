/**
 * Imported first by each entry of the program (the command line and daemon, the scan worker): from
 * then on its modules compile with the code cache made at build time (codeCache.ts). Importing this
 * module is all it is for; where there is no cache file it does nothing.
 */
import path from 'node:path';
import { codeCacheFile, useCodeCache } from './codeCache';

useCodeCache({ packageRoot: path.resolve(__dirname, '../..'), file: codeCacheFile(path.resolve(__dirname, '..')) });
