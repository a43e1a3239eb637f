import { IMPORT_USAGE, openImport, runImport } from './cli-import';
import { MODEL_COMMANDS, MODEL_USAGE, runModelCommand } from './cli-models';
import { parseRetentionArgs, RETENTION_USAGE, runRetention } from './cli-retention';
import { loadConfig } from './config';
import { migrate } from './db/migrate';
import { readMigrations } from './db/migrations-fs';
import { exportEvents } from './ingest/export';
import { replayEvents } from './ingest/replay';
import { buildMissingDocuments } from './read/documents';
import { openDatabase } from './service';

const USAGE = `usage: pedigree <command>

Models (asking a running server):
${MODEL_USAGE}

Database (opening it directly; not while a server holds the embedded one):

  migrate             apply pending database migrations
  replay [--rebuild|--failed]
                      normalize the stored events again, the ones set aside included (--rebuild: empty
                      the normalized tables first; --failed: only the events set aside)
  export              write every stored event, verbatim, as a JSON array to stdout
                      (import it into another instance, or POST it to its /api/v1/lineage/batch)
${IMPORT_USAGE}
${RETENTION_USAGE}

The database is DATABASE_URL, else the embedded one in PEDIGREE_DATA_DIR (./.pedigree).`;

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === '--help' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (MODEL_COMMANDS.has(command)) return runModelCommand(command, args, process.env, (s) => console.log(s));
  const config = loadConfig(process.env);
  // The input is opened before the database, so that a usage error touches nothing.
  const input = command === 'import' ? await openImport(args) : undefined;
  if (typeof input === 'string') {
    console.error(`${input}\n\n${USAGE}`);
    return 2;
  }
  const retention = command === 'retention' ? parseRetentionArgs(args) : undefined;
  if (typeof retention === 'string') {
    console.error(`${retention}\n\n${USAGE}`);
    return 2;
  }
  const db = await openDatabase(config);
  try {
    await migrate(db, await readMigrations());
    await buildMissingDocuments(db);
    switch (command) {
      case 'migrate':
        console.error('migrations applied');
        return 0;
      case 'replay': {
        const result = await replayEvents(db, { rebuild: args.includes('--rebuild'), failedOnly: args.includes('--failed') });
        console.error(`replayed ${result.events} events`);
        for (const f of result.failed) console.error(`  set aside ${f.id}: ${f.error}`);
        return result.failed.length ? 1 : 0;
      }
      case 'import':
        return await runImport(db, input!, config, { stdout: process.stdout, stderr: process.stderr });
      case 'retention':
        return await runRetention(db, retention!, { stdout: (s) => console.log(s), stderr: (s) => console.error(s) });
      case 'export':
        for await (const piece of exportEvents(db)) {
          if (!process.stdout.write(piece)) await new Promise((r) => process.stdout.once('drain', r));
        }
        return 0;
      default:
        console.error(`unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } finally {
    await db.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
