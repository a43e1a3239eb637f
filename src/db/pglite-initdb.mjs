// Creates a PGlite data directory, then exits. Run in a child process by src/service.ts: initdb needs
// several hundred MB that a process never gives back, and the server should not carry that peak.
import { PGlite } from '@electric-sql/pglite';

const pg = new PGlite(process.argv[2]);
await pg.waitReady;
await pg.close();
