/** The ports the READMEs write, in the order they are mapped to the test kit's servers. */
export const README_PORTS = [6379, 6380, 6381, 6382] as const

/**
 * Points a README example at the test kit's servers: each port of {@link README_PORTS} written in the code becomes
 * the port of the server at the same index. An example that uses ioredis but names no port, or builds a client with
 * no arguments, would reach the machine's own Redis, which no test may touch: it is refused. An example without
 * Redis is left as it is.
 */
export function mapPorts(code: string, ports: readonly number[]): string {
  if (ports.length < README_PORTS.length) throw new RangeError(`${README_PORTS.length} servers are needed`)
  if (/new\s+Redis\s*\(\s*\)/.test(code)) {
    throw new Error(
      'a runnable example builds `new Redis()` with no port: it would reach a Redis the test did not start',
    )
  }
  let found = false
  const mapped = code.replace(/\b(6379|6380|6381|6382)\b/g, (port) => {
    found = true
    return String(ports[README_PORTS.indexOf(Number(port) as (typeof README_PORTS)[number])])
  })
  if (!found && code.includes("'ioredis'"))
    throw new Error(`a runnable example must name its Redis ports (${README_PORTS.join(', ')})`)
  return mapped
}
