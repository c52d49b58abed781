/**
 * `node -r ./test/helpers/registerTs.js script.ts`: runs TypeScript sources in a child process
 * (tests that need a second real process), by transpiling each .ts file on load with the
 * project's own TypeScript compiler. No type checking: jest's run already did that.
 */
'use strict';
const fs = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = function registerTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const out = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
  });
  module._compile(out.outputText, filename);
};
