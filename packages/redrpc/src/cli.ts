#!/usr/bin/env node
/**
 * The `redrpc` command: inspect services, providers and locks, call a method, watch providers come and go.
 * Errors print one line on stderr and exit non-zero (2 for a usage mistake, 1 for anything else).
 */
import { parseCli, USAGE, UsageError } from './cli/args.js'
import { runCommand } from './cli/commands.js'

async function main(argv: string[]): Promise<number> {
  const stop = new AbortController()
  const onSignal = () => stop.abort()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    const args = parseCli(argv)
    if (args.help) {
      process.stdout.write(`${USAGE}\n`)
      return 0
    }
    await runCommand(args, { out: (text) => process.stdout.write(`${text}\n`), signal: stop.signal })
    return 0
  } catch (err) {
    const error = err as Error
    const kind = error.name && error.name !== 'Error' ? `${error.name}: ` : ''
    const hint = err instanceof UsageError ? " (see 'redrpc --help')" : ''
    process.stderr.write(`redrpc: ${kind}${error.message.split('\n')[0]}${hint}\n`)
    return err instanceof UsageError ? 2 : 1
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

main(process.argv.slice(2)).then((code) => {
  // Exit explicitly: a half-closed Redis connection must not keep the command alive.
  process.exit(code)
})
