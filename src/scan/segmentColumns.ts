/**
 * The logins and failed logins of one file as a build reads it, kept in columns until its segment is
 * encoded (encodeSegmentFrom): numbers in typed arrays and texts by reference, where
 * an object per login (and a number object per time) would hold several times the memory, and would
 * make the collector's heap grow with the size of the log.
 */
import { encodeSegmentFrom } from './loginIndexFormat';
import type { LoginBatch } from './loginBatch';
import type { FailedRecord } from './loginRecord';

/** A Float64Array that grows (doubling) as values are pushed. */
class Numbers {
  values = new Float64Array(256);
  length = 0;

  push(v: number): void {
    if (this.length === this.values.length) {
      const more = new Float64Array(this.values.length * 2);
      more.set(this.values);
      this.values = more;
    }
    this.values[this.length++] = v;
  }
}

export class SegmentColumns {
  private readonly ip: string[] = [];
  private readonly user: string[] = [];
  private readonly kind: string[] = [];
  private readonly line = new Numbers();
  private readonly time = new Numbers();
  private readonly failIp: string[] = [];
  private readonly failUser: string[] = [];
  private readonly attempts = new Numbers();
  private readonly first = new Numbers();
  private readonly last = new Numbers();

  get empty(): boolean {
    return this.ip.length === 0 && this.failIp.length === 0;
  }

  /** A batch's logins, lines made absolute (lineBase + batch.line[i]); kindOf names each batch kind. */
  addLogins(batch: LoginBatch, lineBase: number, kindOf: (kind: number) => string): void {
    // A batch's texts are its own (one string per text in it). Pooling them across batches would
    // keep a map of every text of the file, larger than the few copies it saves.
    const strings = batch.strings;
    for (let i = 0; i < batch.n; i++) {
      this.ip.push(strings[batch.ip[i]]);
      this.user.push(strings[batch.user[i]]);
      this.kind.push(kindOf(batch.kind[i]));
      this.line.push(lineBase + batch.line[i]);
      this.time.push(batch.time[i]);
    }
  }

  addFailed(failed: readonly FailedRecord[]): void {
    for (const f of failed) {
      this.failIp.push(f.ip);
      this.failUser.push(f.user);
      this.attempts.push(f.attempts);
      this.first.push(f.first);
      this.last.push(f.last);
    }
  }

  /** The segment's bytes: those encodeSegment gives for the same logins and failures, in order. */
  encode(): Buffer {
    const { ip, user, kind, failIp, failUser } = this;
    const line = this.line.values;
    const time = this.time.values;
    const attempts = this.attempts.values;
    const first = this.first.values;
    const last = this.last.values;
    return encodeSegmentFrom({
      logins: ip.length,
      ip: (i) => ip[i], user: (i) => user[i], line: (i) => line[i], time: (i) => time[i], kind: (i) => kind[i],
      failures: failIp.length,
      failIp: (i) => failIp[i], failUser: (i) => failUser[i], attempts: (i) => attempts[i], first: (i) => first[i], last: (i) => last[i],
    });
  }
}
