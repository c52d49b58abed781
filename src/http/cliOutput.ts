/**
 * `relaywatch explain`'s output, made in the daemon: what the command prints (stdout and stderr)
 * and its exit status for a report, by the CLI's own printer (cli/explainOutput.ts), so that a
 * client that cannot run that printer (the installed command's Perl quick path,
 * plugin/bin/relaywatch-explain) prints the very bytes the CLI would. Made once per report and form,
 * as the report's JSON is (explainEncoded): a report is the same object until something changes.
 */
import type { CliIo } from '../cli/command';
import { printExplain } from '../cli/explainOutput';
import type { ExplainReport } from '../services/explainService';

/** The forms `relaywatch explain` prints: --json, plain, and -v. */
export type CliOutputForm = 'json' | 'text' | 'verbose';

export interface CliOutput {
  stdout: Buffer;
  stderr: string;
  code: number;
}

/** The form a request header names, or null (then the route answers as always). */
export function cliOutputForm(header: string | undefined): CliOutputForm | null {
  return header === 'json' || header === 'text' || header === 'verbose' ? header : null;
}

const made = new WeakMap<ExplainReport, Map<CliOutputForm, CliOutput>>();

export function cliOutput(report: ExplainReport, form: CliOutputForm): CliOutput {
  let forms = made.get(report);
  if (!forms) {
    forms = new Map();
    made.set(report, forms);
  }
  let out = forms.get(form);
  if (!out) {
    out = render(report, form);
    forms.set(form, out);
  }
  return out;
}

function render(report: ExplainReport, form: CliOutputForm): CliOutput {
  const stdout: string[] = [];
  let stderr = '';
  const io: CliIo = {
    out: (t) => void stdout.push(t),
    err: (t) => void (stderr += t),
    errIsTty: false,
    // explain's printer never reads input; a request has none to give
    get stdin(): NodeJS.ReadableStream {
      throw new Error('no standard input in the daemon');
    },
  };
  const code = printExplain(io, report, { json: form === 'json', verbose: form === 'verbose' });
  return { stdout: Buffer.from(stdout.join(''), 'utf8'), stderr, code };
}
