import type { Command } from '@commander-js/extra-typings';

/** `conference import-v1 <file> [--final] [--dry-run] [--rename-slug old=new]` (DOMAIN 7.5); its module loads when it runs. */
export function defineImportV1Command(conference: Command): void {
  conference
    .command('import-v1')
    .description('Import a V1 store (DOMAIN 7.5); safe to run again, never writes the V1 file')
    .argument('<file>', 'the V1 SQLite file')
    .option('--final', 'the cut-over run, on a file taken after V1 processing was paused')
    .option('--dry-run', 'read and verify without writing')
    .option('--rename-slug <old=new...>', 'import a conference under another slug')
    .option('--json', 'print the summary as JSON')
    .option('--no-rebuild', 'leave the read models to the running projections (no side-by-side rebuild)')
    .action(async (file, options) => (await import('./import-v1.ts')).importV1Command(file, options));
}
