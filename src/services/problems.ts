/**
 * Problems met while reading the host, collected instead of thrown so that one unreadable file does
 * not hide everything else. `blocking` problems mean the answer could not be decided.
 */
import { FileIssue } from '../host/host';

export interface Problem extends FileIssue {
  /** true when the answer cannot be trusted without this file */
  blocking: boolean;
}

export class Problems {
  readonly list: Problem[] = [];

  add(issue: FileIssue, blocking: boolean): void {
    if (!this.list.some((p) => p.path === issue.path && p.problem === issue.problem)) this.list.push({ ...issue, blocking });
  }

  get blocking(): boolean {
    return this.list.some((p) => p.blocking);
  }
}
