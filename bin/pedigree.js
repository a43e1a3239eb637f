#!/usr/bin/env node
// `npx pedigree <command>`: runs src/cli.ts through tsx (the project ships TypeScript).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
