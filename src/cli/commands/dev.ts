import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { AionError } from '../../core/index.js';
import { resolveWorkflowsPath } from '../../package/index.js';
import { loadConfig } from '../../server/index.js';
import { aionRoot, aionVersion } from '../installation.js';
import type { CliIo } from '../output.js';
import {
  printStartLine,
  untilSignalled,
  withRunFileOptions,
  writeRunFilesOrDrain,
  type RunFileFlags,
} from './lifecycle.js';
import { LiveRedeploy } from './live-redeploy.js';
import { scaffold } from './scaffold.js';
import { announceConsole, consoleField, startServer } from './server.js';

interface DevOptions extends RunFileFlags {
  readonly activities?: string[];
  readonly port: string;
  readonly dataDir: string;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,213}$/;

/** `aion new <name>` and `aion dev`. */
export function registerDevCommands(program: Command, io: CliIo): void {
  registerNewCommand(program, io);
  registerDevCommand(program, io);
}

function registerNewCommand(program: Command, io: CliIo): void {
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
}

function registerDevCommand(program: Command, io: CliIo): void {
  withRunFileOptions(program.command('dev'))
    .description(
      'development server: runs the workflows, rebuilds and deploys them on every change',
    )
    .argument('[workflows]', 'workflow module', 'src/workflows.ts')
    .option(
      '--activities <module...>',
      'activity modules (default: activities.ts beside the workflows, if present)',
    )
    .option('--port <port>', 'TCP port (0 picks a free one)', '7233')
    .option('--data-dir <dir>', 'data directory', '.aion')
    .action(async (workflows: string, options: DevOptions) => {
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
      const running = await startServer(config, { activities });
      const { server, url, host, port } = running;
      const removeRunFiles = await writeRunFilesOrDrain(server, options, port);
      const watching = path.dirname(entry);
      if (program.opts<{ json: boolean }>().json) {
        const dataDir = path.resolve(config.dataDir);
        const version = aionVersion();
        const line = {
          address: url,
          host,
          port,
          pid: process.pid,
          dataDir,
          watching,
          version,
          ...consoleField(running),
        };
        printStartLine(io, line);
      }
      io.stderr(
        `aion dev: ${url} — watching ${watching} (workflow changes deploy live; restart for activity changes)\n`,
      );
      announceConsole(io, running);
      const redeploy = new LiveRedeploy(entry, server.context.engine, io);
      await untilSignalled(
        async () => {
          try {
            await redeploy.close();
            await server.drain();
          } finally {
            removeRunFiles();
          }
        },
        io,
        removeRunFiles,
      );
    });
}
