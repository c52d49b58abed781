import { AppError } from '../../http/appError';
import { search } from '../../services/searchService';
import { CliCommand, EXIT, printJson } from '../command';
import { table } from '../terminal';

export const searchCommand: CliCommand = {
  name: 'search',
  summary: 'Find an IP, mailbox, domain or account (as the --as user may see it)',
  usage: 'relaywatch search TEXT [--json]',
  options: {},
  async run(r) {
    if (r.positionals.length !== 1) throw AppError.badRequest('search needs one TEXT (an IP, a mailbox, a domain or an account).');
    const answer = await search(r.context(), await r.viewer(), r.positionals[0]);
    if (r.json) {
      printJson(r.io, answer);
      return EXIT.ok;
    }
    if (answer.results.length === 0) {
      r.io.out('Nothing found.\n');
      return EXIT.ok;
    }
    r.io.out(`${table([['KIND', 'WHAT', 'DETAIL'], ...answer.results.map((x) => [x.kind, x.title, x.detail])])}\n`);
    return EXIT.ok;
  },
};
