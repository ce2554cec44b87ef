#!/usr/bin/env node
// The `autofas` command line: a thin registry of subcommands, each defined in its own *-command.ts file.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerFixturesCommand } from './fixtures-command.js';
import { registerProfileCommand } from './profile-command.js';
import { registerTrainCommand } from './train-command.js';
import { registerEvaluateCommand } from './evaluate-command.js';
import { registerSearchCommand } from './search-command.js';
import { registerStoreCommand } from './store-command.js';
import { registerAbReportCommand } from './ab-report-command.js';

const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

/** `autofas <command>` of the argv, for the pointer to its help. */
function commandName(): string {
  const name = process.argv[2];
  return name && !name.startsWith('-') && program.commands.some((c) => c.name() === name) ? `autofas ${name}` : 'autofas';
}

/** Usage errors in one line with a pointer to `--help`, instead of the whole help. */
function usageLine(message: string): string {
  return `autofas: ${message.trim().replace(/^error: /, '').replace(/\.$/, '')}; see \`${commandName()} --help\`\n`;
}

const program = new Command('autofas')
  .description('AutoFAS: search, train, export and evaluate pre-ranking models from teacher logs')
  .version(version, '-V, --version', 'print the autofas version')
  .configureOutput({ outputError: (message, write) => write(usageLine(message)) });

registerFixturesCommand(program);
registerProfileCommand(program);
registerTrainCommand(program);
registerEvaluateCommand(program);
registerSearchCommand(program);
registerStoreCommand(program);
registerAbReportCommand(program);

program.parseAsync(process.argv).catch((err: Error & { code?: string }) => {
  if (err.code === 'ERR_AUTOFAS_OPTION') process.stderr.write(usageLine(`${err.message} (${err.code})`));
  else process.stderr.write(`autofas: ${err.message}${err.code ? ` (${err.code})` : ''}\n`);
  process.exitCode = 1;
});
