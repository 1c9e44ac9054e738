// Child-process entry for one load-generator worker (`--gen-procs N` starts N of these). It runs a
// LoadGenerator for the rooms it is given and answers over IPC.
import { LoadGenerator } from './load-generator.js';
import type { GeneratorConfig, PhaseSpec } from './types.js';

let generator: LoadGenerator | null = null;

type Command = { type: 'join'; config: GeneratorConfig } | { type: 'phase'; spec: PhaseSpec } | { type: 'close' };

function reply(msg: unknown): void {
  process.send?.(msg);
}

process.on('message', (cmd: Command) => {
  void (async () => {
    try {
      if (cmd.type === 'join') {
        generator = new LoadGenerator(cmd.config);
        reply({ type: 'joined', result: await generator.join() });
      } else if (cmd.type === 'phase') {
        if (!generator) throw new Error('phase before join');
        reply({ type: 'phase-done', result: await generator.runPhase(cmd.spec) });
      } else if (cmd.type === 'close') {
        await generator?.close();
        process.exit(0);
      }
    } catch (err) {
      reply({ type: 'error', message: (err as Error).stack ?? String(err) });
    }
  })();
});
process.on('disconnect', () => process.exit(0));
reply({ type: 'ready' });
