/**
 * The dashboard page: listens to the server's events (`/events`) and redraws the tables and charts on each state.
 * Read-only: it never sends anything but the one GET that opens the stream.
 */
import type { HistoryPoint, PageState } from '../src/dashboard/LiveState.js'
import { ServiceChart } from './charts.js'
import { renderLocks, renderServices } from './tables.js'
import './style.css'

const KEPT = 120
const byId = (id: string) => document.getElementById(id) as HTMLElement
const callsChart = new ServiceChart(byId('chart-calls'), (s) => s.callsPerSec)
const p99Chart = new ServiceChart(byId('chart-p99'), (s) => s.p99)
let history: HistoryPoint[] = []

function drawCharts(): void {
  callsChart.update(history)
  p99Chart.update(history)
}

function drawState(state: PageState): void {
  byId('namespace').textContent = `namespace ${state.namespace}`
  byId('updated').textContent = `updated ${new Date(state.at).toLocaleTimeString()}, every ${state.intervalMs} ms`
  const error = byId('error')
  error.hidden = !state.error
  error.textContent = state.error ? `last read failed: ${state.error}` : ''
  renderServices(byId('services').querySelector('tbody') as HTMLElement, state.services)
  byId('locks-section').hidden = state.locks === null
  if (state.locks) renderLocks(byId('locks').querySelector('tbody') as HTMLElement, state.locks)
}

function connectionShown(connected: boolean): void {
  const node = byId('connection')
  node.dataset.connected = String(connected)
  node.textContent = connected ? 'live' : 'reconnecting…'
}

const events = new EventSource('/events')
events.addEventListener('open', () => connectionShown(true))
events.addEventListener('error', () => connectionShown(false))
events.addEventListener('history', (e) => {
  history = JSON.parse((e as MessageEvent<string>).data) as HistoryPoint[]
  drawCharts()
})
events.addEventListener('point', (e) => {
  history.push(JSON.parse((e as MessageEvent<string>).data) as HistoryPoint)
  if (history.length > KEPT) history.shift()
  drawCharts()
})
events.addEventListener('state', (e) => drawState(JSON.parse((e as MessageEvent<string>).data) as PageState))
