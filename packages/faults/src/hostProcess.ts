import { fileURLToPath } from 'node:url'
import { type Network, type ReportingProcess, startReportingProcess } from '@org/testkit'

/** A fixture process on a host of a network, and the JSON lines it reported. */
export type HostProcess = ReportingProcess

const packageDir = fileURLToPath(new URL('..', import.meta.url))

/** Starts a fixture (a `.ts` file under `test/fixtures`) inside a host, with the given environment. */
export function startFixture(
  network: Network,
  host: string,
  fixture: string,
  env: Record<string, string | number>,
): HostProcess {
  return startReportingProcess(fileURLToPath(new URL(`../test/fixtures/${fixture}`, import.meta.url)), {
    cwd: packageDir,
    env,
    label: `${fixture} on ${host}`,
    spawn: (command, args, options) => network.spawn(host, command, args, options),
  })
}
