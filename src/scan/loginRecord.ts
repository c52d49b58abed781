/**
 * What a scan yields, apart from how it was found: one login as a record, and how far a scan has got.
 * A module of its own so that the index (loginIndex*.ts) and the scanner (loginScan*.ts), which use
 * each other's results, need not import each other.
 */
import type { MailProtocol, MailService } from '../parsers/patterns/loginPatterns';

/** A failed login found by a scan that was asked for them too (see ScanJob.failedToo). */
export interface FailedRecord {
  ip: string;
  /** the name tried; null when the line names none */
  user: string | null;
  /** failed attempts the line stands for */
  attempts: number;
  /** ms since the epoch, NaN when the line's stamp could not be read */
  time: number;
}

export interface LoginRecord {
  /** host path of the log file */
  file: string;
  /** 1-based line number in the (decompressed) file */
  line: number;
  time: string | null;
  ip: string;
  user: string;
  protocol: MailProtocol;
  service: MailService;
  pattern: string;
}

export interface ScanProgress {
  file: string;
  fileIndex: number;
  files: number;
  bytesDone: number;
  bytesTotal: number;
}
