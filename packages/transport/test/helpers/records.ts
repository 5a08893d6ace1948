/** Request records written by hand, as a caller would (or a broken or hostile one), for tests that fill inboxes. */
export interface RecordFields {
  id: string
  replyTo: string
  method?: string
  timeLeftMs?: number | string
  codec?: string
  attempt?: number | string
  replyMaxLength?: number | string
  params?: string
  metadata?: string
}

/** One request record in the wire format (see src/wire.ts), with JSON params. */
export function requestRecord(r: RecordFields): string {
  const params = r.params ?? 'null'
  const header = [
    r.id,
    r.replyTo,
    r.method ?? 'echo',
    r.timeLeftMs ?? 5_000,
    r.codec ?? 'json',
    r.attempt ?? 1,
    r.replyMaxLength ?? 1_000,
    Buffer.byteLength(params),
    r.metadata === undefined ? -1 : Buffer.byteLength(r.metadata),
  ].join('\t')
  return `${header}\n${r.metadata ?? ''}${params}`
}
