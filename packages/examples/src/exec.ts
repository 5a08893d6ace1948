import { spawn } from 'node:child_process'

/** What a finished command left behind. */
export interface ExecResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly output: string
  /** True when it was killed for running past `timeoutMs`. */
  readonly timedOut: boolean
}

/** Options of {@link exec}. */
export interface ExecOptions {
  readonly cwd: string
  /** Killed (SIGKILL) after this long. */
  readonly timeoutMs: number
  readonly env?: NodeJS.ProcessEnv
}

/**
 * Runs a command to its end and gives back its exit and its interleaved stdout and stderr. It never rejects for a
 * failing command: the tests judge the result, and print the output when it is not what they expect.
 */
export function exec(command: string, args: readonly string[], options: ExecOptions): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const chunks: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, options.timeoutMs)
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, output: Buffer.concat(chunks).toString('utf8'), timedOut })
    })
  })
}

/** Runs a command and throws, with its output, unless it exits with 0. */
export async function mustExec(command: string, args: readonly string[], options: ExecOptions): Promise<string> {
  const result = await exec(command, args, options)
  if (result.code !== 0) {
    const how = result.timedOut
      ? `timed out after ${options.timeoutMs} ms`
      : `exited with ${result.code ?? result.signal}`
    throw new Error(`\`${command} ${args.join(' ')}\` in ${options.cwd} ${how}:\n${result.output}`)
  }
  return result.output
}
