import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { HistoryPoint } from '../src/dashboard/LiveState.js'

const COLORS = ['#0969da', '#1a7f37', '#cf222e', '#8250df', '#9a6700', '#bf3989', '#1b7c83']

/** A small time-series chart with one line per service, rebuilt when the set of services changes. */
export class ServiceChart {
  readonly #root: HTMLElement
  readonly #pick: (s: HistoryPoint['services'][string]) => number | null
  #plot: uPlot | undefined
  #names = ''

  constructor(root: HTMLElement, pick: (s: HistoryPoint['services'][string]) => number | null) {
    this.#root = root
    this.#pick = pick
  }

  /** Draws the points (oldest first). */
  update(points: readonly HistoryPoint[]): void {
    const services = [...new Set(points.flatMap((p) => Object.keys(p.services)))].sort()
    const data: uPlot.AlignedData = [
      points.map((p) => p.at / 1000),
      ...services.map((name) => points.map((p) => (p.services[name] ? this.#pick(p.services[name]) : null))),
    ]
    const names = services.join('\n')
    if (!this.#plot || names !== this.#names) {
      this.#plot?.destroy()
      this.#names = names
      this.#plot = new uPlot(this.#options(services), data, this.#root)
    } else {
      this.#plot.setData(data)
    }
  }

  #options(services: readonly string[]): uPlot.Options {
    return {
      width: 540,
      height: 160,
      legend: { show: true, live: false },
      cursor: { show: false },
      scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      series: [
        {},
        ...services.map((label, i) => ({ label, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: false })),
      ],
      axes: [{ size: 30 }, { size: 48 }],
    }
  }
}
