/**
 * What a scan yields, apart from how it was found: one login as a record, and how far a scan has got.
 * A module of its own so that the index (loginIndex*.ts) and the scanner (loginScan*.ts), which use
 * each other's results, need not import each other.
 */
import type { MailProtocol, MailService } from '../parsers/patterns/loginPatterns';

/**
 * Failed logins found by a scan that was asked for them too (see ScanJob.failedToo): those of one
 * part of a log from one IP under one name, summed into one record. A part's records come in the
 * order each (IP, name) first appears in it: counted in that order, they give the same answer as
 * the lines one by one (domain/failedLogins.ts keeps the first names of each IP).
 */
export interface FailedRecord {
  ip: string;
  /** the name tried; '' when the lines name none */
  user: string;
  /** failed attempts the lines stand for */
  attempts: number;
  /** ms since the epoch of the first and the last of them, NaN when no stamp could be read */
  first: number;
  last: number;
}

/** Sums failed logins into FailedRecords, per (IP, name), in the order each first comes. */
export class FailedRecordsBuilder {
  private readonly records: FailedRecord[] = [];
  /**
   * by IP: its one record, or its records by name once it has more than one (most addresses try
   * one name: a Map of names for each would be garbage for each of the many a log may hold)
   */
  private readonly at = new Map<string, FailedRecord | Map<string, FailedRecord>>();

  add(ip: string, user: string | null, attempts: number, time: number): void {
    const name = user ?? '';
    const known = this.at.get(ip);
    let r: FailedRecord | undefined;
    if (known instanceof Map) r = known.get(name);
    else if (known && known.user === name) r = known;
    if (!r) {
      const fresh = { ip, user: name, attempts, first: time, last: time };
      if (!known) this.at.set(ip, fresh);
      else if (known instanceof Map) known.set(name, fresh);
      else this.at.set(ip, new Map([[known.user, known], [name, fresh]]));
      this.records.push(fresh);
      return;
    }
    r.attempts += attempts;
    if (!Number.isNaN(time)) {
      if (Number.isNaN(r.first) || time < r.first) r.first = time;
      if (Number.isNaN(r.last) || time > r.last) r.last = time;
    }
  }

  build(): FailedRecord[] {
    return this.records;
  }
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
