import type { Command } from 'commander';
import { act, leaf } from '../define.ts';
import { progressBar } from '../output.ts';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export function projectionCommands(program: Command) {
  const projections = program.command('projections').description('the read models behind the dashboards: rebuild them, see how far behind they are');

  act(
    leaf(projections, 'rebuild', 'empty the read models and apply the whole event log again (all workspaces)').option(
      '--name <name>',
      'only this projection (see `projections status` for the names)',
    ),
    async (session, _args, input, out) => {
      const { rebuildProjections } = await import('../../read-models/projector/projector.ts');
      const bar = progressBar('rebuilding', !out.json);
      const r = await rebuildProjections({
        store: session.ctx.store,
        dataDir: session.config.dataDir,
        ...(input['name'] === undefined ? {} : { name: String(input['name']) }),
        onProgress: (p) => bar.update(p.events, p.estimatedTotal),
      });
      bar.end();
      out.result(
        { ...r, position: r.position === null ? null : Number(r.position) },
        `Rebuilt ${r.projections.length === 1 ? r.projections[0] : `${r.projections.length} projections`}: ${fmt(r.events)} events in ${r.seconds.toFixed(1)} s (${fmt(r.eventsPerSecond)} events/s)`,
      );
    },
  );

  act(leaf(projections, 'status', 'checkpoint and lag (events not yet applied) of each projection'), async (session, _args, _input, out) => {
    const { openReadModels } = await import('../../read-models/queries.ts');
    const models = openReadModels(session.config.dataDir);
    try {
      const head = await session.ctx.store.headPosition();
      const lag = models.lag(head);
      const width = Math.max(...lag.map((l) => l.name.length));
      out.result({ head: head === null ? null : Number(head), projections: lag }, () =>
        [
          `log head: ${head === null ? 'empty' : head.toString()}`,
          ...lag.map((l) => `  ${l.name.padEnd(width)}  checkpoint ${String(l.checkpoint).padStart(8)}  lag ${l.lag}`),
        ].join('\n'),
      );
    } finally {
      models.close();
    }
  });
}
