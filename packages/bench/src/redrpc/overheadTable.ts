import { SDK_SETUP } from './openTelemetry.js'
import { BLOCK, type OverheadRow } from './overhead.js'
import { TELEMETRY } from './overheadConfig.js'

/**
 * Prints the overhead part's table: per configuration its median block's calls/s, the median of its per-block ratios
 * to "nothing registered", and CPU per call; for RedRpc's telemetry also the ratio to the SDK-only configuration
 * (what turning RedRpc's telemetry on costs an application that has OpenTelemetry set up anyway); then the target.
 */
export function printOverhead(rows: readonly OverheadRow[], spans: number, inFlight: number, providers: number): void {
  console.log(
    `\nOverhead of hooks and OpenTelemetry: interleaved blocks of ${BLOCK} calls per configuration, ${inFlight} in flight, ${providers} provider processes each; ratio = median of per-block ratios to "nothing registered" in the same cycle (${spans} spans exported by the caller)\n`,
  )
  const sdk = rows.find((r) => r.config === 'sdk')
  const traced = (r: OverheadRow) => TELEMETRY.includes(r.config)
  console.log(
    '| configuration | calls/s | ratio | fewer calls/s | ratio to SDK only | CPU µs/call: caller | providers |',
  )
  console.log('|---|---:|---:|---:|---:|---:|---:|')
  for (const r of rows) {
    const fewer = r.config === 'none' ? '' : `${((1 - r.ratio) * 100).toFixed(0)}%`
    const toSdk = sdk && traced(r) ? (r.ratio / sdk.ratio).toFixed(2) : ''
    const calls = Math.round(r.callsPerSecond).toLocaleString('en-US')
    const cpu = `${r.cpu.caller.toFixed(0)} | ${r.cpu.providers.toFixed(0)}`
    console.log(`| ${r.label} | ${calls} | ${r.ratio.toFixed(2)} | ${fewer} | ${toSdk} | ${cpu} |`)
  }
  console.log(`\nOpenTelemetry SDK in every process of the SDK and telemetry rows: ${SDK_SETUP}`)
  console.log(`\n| target | ratio | verdict |\n|---|---:|---|`)
  for (const r of rows.filter((r) => r.config === 'otel' || r.config === 'sampled')) {
    const verdict = r.ratio >= 0.85 ? 'met' : 'NOT met'
    console.log(`| ${r.label}: at most 15% fewer calls/s | ${r.ratio.toFixed(2)} | ${verdict} |`)
  }
}
