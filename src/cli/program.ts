import { Command, CommanderError, Option } from '@commander-js/extra-typings';
import { ConfigError, loadConfig } from '../config.ts';
import { defineImportV1Command } from './import-v1-command.ts';
import { UsageError } from './usage-error.ts';

// Commands load their modules when they run, so that `--help` and usage errors answer at once.
const ROLES = ['web', 'worker', 'all'] as const;
const deadLetterCommands = () => import('./dead-letters.ts');
const readModelCommands = () => import('./read-models.ts');

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** The `conference` command (ARCHITECTURE 3). */
export function program(onServing: () => void): Command {
  const conference = new Command('conference')
    .description('Contoso Conference: conference registration with CQRS and event sourcing')
    .exitOverride()
    .showHelpAfterError('(run conference --help for usage)');

  conference
    .command('serve')
    .description('Run the server: web = HTTP, worker = handlers and timers, all = both')
    .addOption(new Option('--role <role>', 'what this process runs').choices(ROLES).default('all' as const))
    .action(async (options) => {
      const config = loadConfig();
      const { serve } = await import('./serve.ts');
      await serve(config, options.role);
      onServing();
    });

  conference
    .command('migrate')
    .description("Apply the store's pending schema migrations and exit")
    .action(async () => (await import('./migrate.ts')).migrate());

  const deadLetters = conference.command('dead-letters').description('Inspect, retry and discard dead letters');
  deadLetters
    .command('list')
    .description('List dead letters')
    .option('--handler <name>', 'only this handler')
    .option('--json', 'print JSON')
    .action(async (options) => (await deadLetterCommands()).listDeadLetters(options));
  deadLetters
    .command('retry')
    .description('Deliver dead letters again: retry <id...> | retry --all --handler <name>')
    .argument('[ids...]', 'dead-letter ids')
    .option('--all', 'every dead letter of --handler')
    .option('--handler <name>', 'handler')
    .action(async (ids, options) => (await deadLetterCommands()).retryDeadLetters(ids, options));
  deadLetters
    .command('discard')
    .description('Discard dead letters for good (logged as operator actions)')
    .argument('<ids...>', 'dead-letter ids')
    .requiredOption('--reason <text>', 'why (required)')
    .action(async (ids, options) => (await deadLetterCommands()).discardDeadLetters(ids, options.reason));

  defineImportV1Command(conference);

  conference
    .command('read-models')
    .description('List read models with version, position, lag and status')
    .option('--json', 'print JSON')
    .action(async (options) => (await readModelCommands()).listReadModels(options));
  conference
    .command('rebuild')
    .description('Rebuild read models from the log: side by side, switched to when caught up; several are rebuilt from one read')
    .argument('<read-model...>', 'read-model names')
    .option('--in-place', 'retire the old version once switched instead of keeping it')
    .option('--no-switch', 'keep the new version as standby instead of switching to it')
    .action(async (names, options) => (await readModelCommands()).rebuildReadModels(names, options));
  conference
    .command('switch')
    .description('Switch readers to a kept version of a read model (rollback)')
    .argument('<read-model>', 'read-model name')
    .argument('<version>', 'version')
    .action(async (name, version) => (await readModelCommands()).switchReadModel(name, version));
  conference
    .command('retire')
    .description('Drop a kept version of a read model')
    .argument('<read-model>', 'read-model name')
    .argument('<version>', 'version')
    .action(async (name, version) => (await readModelCommands()).retireReadModel(name, version));
  conference
    .command('replay')
    .description('Replay a slice of the log into a scratch version of a read model (never made live)')
    .requiredOption('--into <read-model>', 'read-model name')
    .option('--types <A,B>', 'only these message types')
    .option('--source-type <T>', 'only this source type')
    .option('--source-id <IDs>', 'only these source ids (comma-separated)')
    .option('--correlation-id <ID>', 'only this correlation id')
    .option('--until-position <N>', 'up to this log position (inclusive)')
    .option('--until-time <ISO>', 'up to this instant (exclusive)')
    .action(async (options) => (await readModelCommands()).replay(options));

  return conference;
}

/**
 * Runs the command line; answers the exit code, or undefined when the process keeps running (serve).
 * Exit codes: 0 ok, 1 failure, 2 usage or configuration error.
 */
export async function runCli(argv: string[]): Promise<number | undefined> {
  let serving = false;
  const conference = program(() => {
    serving = true;
  });
  try {
    await conference.parseAsync(argv);
    return serving ? undefined : EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    if (error instanceof UsageError || error instanceof ConfigError) {
      console.error(`error: ${error.message}`);
      return EXIT_USAGE;
    }
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_FAILURE;
  }
}
