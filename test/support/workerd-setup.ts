import { beforeEach } from 'vitest';
import { excludedOnWorkerd } from './workerd-exclusions';

// setupFiles of the vitest project `workerd` (vitest.config.ts): in every file, the tests named in
// workerd-exclusions.ts are skipped, saying why.
beforeEach((test) => {
  const reason = excludedOnWorkerd(test.task.file.name, test.task.name);
  if (reason) test.skip(`not on workerd: ${reason}`);
});
