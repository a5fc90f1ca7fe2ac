// esbuild's long-lived service process: builds go through here so that an engine shutting
// down can stop the process when no build of this process is in flight.
import * as esbuild from 'esbuild';

/**
 * How workflow code's imports resolve, in every build that reads it (the package build, the
 * unknown-import check, `aion check`'s file walk), so all three see the same files.
 */
export const WORKFLOW_RESOLUTION = {
  platform: 'neutral',
  mainFields: ['module', 'main'],
  conditions: ['workflow', 'import', 'default'],
} as const satisfies esbuild.BuildOptions;

let inFlight = 0;

/** Runs an esbuild build, counted so {@link stopBuildService} never cuts one short. */
export async function esbuildBuild<O extends esbuild.BuildOptions>(
  options: esbuild.SameShape<esbuild.BuildOptions, O>,
): Promise<esbuild.BuildResult<O>> {
  inFlight++;
  try {
    return await esbuild.build(options);
  } finally {
    inFlight--;
  }
}

/**
 * Stops esbuild's service process if no build is running (the next build starts a new one).
 * Called when an engine shuts down, so the process does not outlive it.
 */
export async function stopBuildService(): Promise<void> {
  if (inFlight === 0) await esbuild.stop();
}
