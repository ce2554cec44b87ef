#!/usr/bin/env node
// The `autofas` command line: a thin registry of subcommands, each defined in its own *-command.ts file.
import { Command } from 'commander';
import { registerFixturesCommand } from './fixtures-command.js';
import { registerProfileCommand } from './profile-command.js';
import { registerTrainCommand } from './train-command.js';
import { registerEvaluateCommand } from './evaluate-command.js';
import { registerSearchCommand } from './search-command.js';
import { registerStoreCommand } from './store-command.js';
import { registerAbReportCommand } from './ab-report-command.js';

const program = new Command('autofas')
  .description('AutoFAS: search, train, export and evaluate pre-ranking models from teacher logs')
  .showHelpAfterError();

registerFixturesCommand(program);
registerProfileCommand(program);
registerTrainCommand(program);
registerEvaluateCommand(program);
registerSearchCommand(program);
registerStoreCommand(program);
registerAbReportCommand(program);

program.parseAsync(process.argv).catch((err: Error & { code?: string }) => {
  process.stderr.write(`autofas: ${err.message}${err.code ? ` (${err.code})` : ''}\n`);
  process.exitCode = 1;
});
