import { readFileSync } from 'node:fs'

/** Linux clock ticks per second for /proc times (USER_HZ, 100 on every mainstream distribution). */
const TICKS_PER_SECOND = 100

/**
 * CPU time (user + system) a process has used so far, in microseconds, from /proc/<pid>/stat; 0 where /proc is
 * missing. CPU per call holds steady when other jobs share the machine, unlike calls/s.
 */
export function cpuMicros(pid: number | undefined): number {
  if (pid === undefined) return 0
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces) start past the last ')'; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1e6
  } catch {
    return 0
  }
}
