import type { PageLock, PageProvider, PageService } from '../src/dashboard/LiveState.js'
import { duration, el, num } from './format.js'

/** Services, each followed by its providers; rows carry data-* attributes that tests and scripts can select. */
export function renderServices(body: HTMLElement, services: readonly PageService[]): void {
  const rows: HTMLElement[] = []
  for (const s of services) {
    const up = s.providers.filter((p) => p.status === 'up').length
    const row = tr('service', [
      s.name,
      `${up}/${s.providers.length} up`,
      '',
      num(s.callsPerSec),
      num(s.errorsPerSec),
      num(s.errors),
      num(s.inFlight),
      num(s.p50),
      num(s.p99),
      '',
      s.version,
      '',
    ])
    row.dataset.service = s.name
    rows.push(row, ...s.providers.map(providerRow))
  }
  if (rows.length === 0) rows.push(tr('', ['no services in this namespace']))
  body.replaceChildren(...rows)
}

function providerRow(p: PageProvider): HTMLElement {
  const s = p.summary
  const health = p.status === 'up' ? 'up' : `gone (${p.goneReason ?? ''})`
  const row = tr('provider', [
    p.id,
    health,
    duration(p.heartbeatAgeMs),
    num(s?.callsPerSec),
    num(s?.errorsPerSec),
    num(s?.errors),
    num(s?.inFlight),
    num(s?.p50),
    num(s?.p99),
    p.breaker,
    s?.version ?? '',
    s ? `${s.host}:${s.pid}` : '',
  ])
  row.dataset.provider = p.id
  row.dataset.status = p.status
  row.dataset.calls = num(s?.callsPerSec)
  row.firstElementChild?.prepend(el('span', 'dot'))
  const breaker = row.children[9]
  if (breaker) breaker.className = `text ${p.breaker}`
  return row
}

/** Locks held now; waiters highlighted while somebody waits. */
export function renderLocks(body: HTMLElement, locks: readonly PageLock[]): void {
  const rows = locks.map((l) => {
    const row = tr('lock', [
      l.resource,
      l.holder,
      `${l.held}/${l.instances}`,
      num(typeof l.fencingToken === 'number' ? l.fencingToken : Number(l.fencingToken)),
      String(l.waiters),
      duration(l.heldForMs),
      duration(l.ttlMs),
    ])
    row.dataset.lock = l.resource
    row.dataset.waiters = String(l.waiters)
    const waiters = row.children[4]
    if (waiters) {
      waiters.className = l.waiters > 0 ? 'waiting' : ''
      waiters.setAttribute('data-waiters', String(l.waiters))
    }
    return row
  })
  body.replaceChildren(...(rows.length > 0 ? rows : [tr('', ['no lock held'])]))
}

function tr(className: string, cells: readonly string[]): HTMLElement {
  const row = el('tr', className)
  cells.forEach((text, i) => {
    const cell = el('td', i === 1 || i === 10 || i === 11 ? 'text' : '', text)
    if (cells.length === 1) {
      cell.className = 'none'
      cell.setAttribute('colspan', '12')
    }
    row.append(cell)
  })
  return row
}
