import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { AionError, isAionError } from '../../core/index.js';
import { buildPackage, resolveWorkflowsPath } from '../../package/index.js';
import { loadConfig } from '../../server/config.js';
import type { CliIo } from '../output.js';
import { scaffold } from './scaffold.js';
import { startServer } from './server.js';
import { SourceWatcher } from './source-watcher.js';

/** Root of the running Aion installation (the scaffold depends on it). */
function aionRoot(): string {
  return fileURLToPath(new URL('../../../', import.meta.url));
}

function aionVersion(): string {
  return (
    JSON.parse(readFileSync(path.join(aionRoot(), 'package.json'), 'utf8')) as { version: string }
  ).version;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,213}$/;

/** `aion new <name>` and `aion dev`. */
export function registerDevCommands(program: Command, io: CliIo): void {
  program
    .command('new')
    .description('scaffold a runnable workflow project in a new directory')
    .argument('<name>', 'project (and directory) name')
    .option('--dir <dir>', 'parent directory', '.')
    .option(
      '--aion <spec>',
      'package.json spec of the aion dependency (default: this installation)',
    )
    .action((name: string, options: { dir: string; aion?: string }) => {
      if (!NAME.test(name)) {
        throw new AionError(
          'invalid_argument',
          `project name ${JSON.stringify(name)} must be a valid npm package name (lower case letters, digits, . _ -)`,
          { field: 'name' },
        );
      }
      const target = path.resolve(options.dir, name);
      if (existsSync(target) && readdirSync(target).length > 0) {
        throw new AionError(
          'invalid_state',
          `directory ${target} exists and is not empty; choose another name or --dir`,
          {
            path: target,
          },
        );
      }
      const spec = options.aion ?? `file:${aionRoot()}`;
      for (const [file, text] of Object.entries(scaffold(name, spec))) {
        const abs = path.join(target, file);
        mkdirSync(path.dirname(abs), { recursive: true });
        writeFileSync(abs, text);
      }
      io.stdout(
        [
          `created ${target} (aion ${aionVersion()})`,
          '',
          `  cd ${path.relative(process.cwd(), target) || '.'}`,
          '  npm install',
          '  npm run dev',
          '',
        ].join('\n'),
      );
    });

  program
    .command('dev')
    .description(
      'development server: runs the workflows, rebuilds and deploys them on every change',
    )
    .argument('[workflows]', 'workflow module', 'src/workflows.ts')
    .option(
      '--activities <module...>',
      'activity modules (default: activities.ts beside the workflows, if present)',
    )
    .option('--port <port>', 'TCP port', '7233')
    .option('--data-dir <dir>', 'data directory', '.aion')
    .action(
      async (
        workflows: string,
        options: { activities?: string[]; port: string; dataDir: string },
      ) => {
        const entry = resolveWorkflowsPath(workflows);
        const sibling = path.join(path.dirname(entry), 'activities.ts');
        const activities = options.activities ?? (existsSync(sibling) ? [sibling] : []);
        const config = loadConfig({
          flags: {
            port: Number(options.port),
            dataDir: options.dataDir,
            workflowsPath: entry,
            auth: false,
          },
        });
        const { server, url } = await startServer(config, { activities });
        const engine = server.context.engine;
        io.stderr(
          `aion dev: ${url} — watching ${path.dirname(entry)} (workflow changes deploy live; restart for activity changes)\n`,
        );
        let timer: NodeJS.Timeout | undefined;
        let building = Promise.resolve();
        const rebuild = (): void => {
          building = building.then(async () => {
            try {
              const built = await buildPackage({ workflowsPath: entry });
              const result = await engine.deploy(built.archive);
              if (result.freshlyLoaded || result.routeChanged) {
                io.stderr(
                  `deployed ${result.version.slice(0, 12)} (${built.manifest.workflowTypes.map((t) => t.name).join(', ')}); running workflows stay on their version\n`,
                );
              }
            } catch (err) {
              io.stderr(
                `build failed, still serving the previous version: ${isAionError(err) ? err.message : String(err)}\n`,
              );
            }
          });
        };
        const watcher = new SourceWatcher(path.dirname(entry), () => {
          clearTimeout(timer);
          timer = setTimeout(rebuild, 150);
        });
        await new Promise<void>((resolve) => {
          const stop = (): void => {
            watcher.close();
            clearTimeout(timer);
            void building.then(() => server.drain()).then(resolve, resolve);
          };
          process.once('SIGTERM', stop);
          process.once('SIGINT', stop);
        });
      },
    );
}
