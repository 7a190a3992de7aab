/** Purges unverified uploads (14 days), expired tokens and stale limits: at start, then periodically. */
import type { FastifyInstance } from 'fastify';
import type { DirectoryService } from '../services/directory-service';

export function purgeJob(app: FastifyInstance, directory: DirectoryService, intervalMs: number): void {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  const run = () => {
    running ??= directory
      .purge()
      .then((r) => app.log.info({ purged: r }, 'purge'))
      .catch((err: Error) => app.log.error({ err: { message: err.message } }, 'purge failed'))
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  app.addHook('onReady', async () => {
    await run();
    if (intervalMs > 0) timer = setInterval(run, intervalMs).unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    await running;
  });
}
