// Text the CLI prints for a person. Pure, so it is tested without a terminal.
import { relative, isAbsolute } from 'node:path';
import type { CollectionDetail, CollectionSummary, Diagnostics, DuplicateRelation, DuplicatesResponse, Hit, IndexProgress, IndexStatus, IndexSummary, ItemSummary, ModelListing, ModelProgress } from '../../shared/types.js';

export function displayPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A time in a recording: 0:07, 12:34, 1:02:03. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** Why a hit matched, in a few words: the note chunk with its headings, the line said at a time, or the kind of segment. */
export function explain(hit: Hit, width = 60, bold = false): string {
  const s = hit.match.segment;
  if (s.kind === 'image') return 'image';
  const crumbs =
    s.kind === 'ocr'
      ? 'text in the photo: '
      : s.kind === 'transcript' && s.start !== null
        ? `at ${formatClock(s.start)}: `
        : s.breadcrumb.length
          ? `${s.breadcrumb.join(' › ')}: `
          : '';
  return `${crumbs}“${passageLine(hit, Math.max(10, width - crumbs.length), bold)}”`;
}

/**
 * The engine's passage for a hit ([Note: cjk]) on one line of at most `max` characters around its first marked word,
 * the marked words in bold on a terminal.
 */
export function passageLine(hit: Hit, max: number, bold = false): string {
  const p = hit.match.passage;
  if (!p) return oneLine(hit.match.segment.text ?? '', max);
  const first = p.marks[0]?.[0] ?? 0;
  let start = p.text.length <= max ? 0 : Math.max(0, Math.min(first - Math.floor(max / 4), p.text.length - max));
  if (start > 0 && /[\uDC00-\uDFFF]/.test(p.text.charAt(start))) start--;
  let end = Math.min(p.text.length, start + max - (start > 0 ? 1 : 0) - 1);
  if (end >= p.text.length - 1) end = p.text.length;
  if (end < p.text.length && /[\uDC00-\uDFFF]/.test(p.text.charAt(end))) end++;
  let out = '';
  let at = start;
  for (const [a, b] of p.marks) {
    const from = Math.max(a, at);
    const to = Math.min(b, end);
    if (to <= from) continue;
    out += p.text.slice(at, from) + (bold ? `\x1b[1m${p.text.slice(from, to)}\x1b[22m` : p.text.slice(from, to));
    at = to;
  }
  out += p.text.slice(at, end);
  return `${start > 0 ? '…' : ''}${out}${end < p.text.length ? '…' : ''}`;
}

/**
 * Hits, one per line with why they matched: the close matches, then the rest under a line that says so
 * ([Note: relevance]: the engine decides which are close). A search of filters only (`mode` 'filters') has no score:
 * each line shows the item's date instead. A related hit says what links it ("same day · similar · 2 km away").
 */
export function formatHits(hits: readonly Hit[], cwd = process.cwd(), mode: 'meaning' | 'filters' = 'meaning', options: { notice?: string | null; bold?: boolean } = {}): string {
  const notice = options.notice ? [options.notice] : [];
  if (hits.length === 0) return notice.length ? notice.join('\n') : 'No matches.';
  const rank = String(hits.length).length;
  const lines: string[] = [...notice];
  hits.forEach((h, i) => {
    if (mode === 'meaning' && !h.close && (i === 0 || hits[i - 1]!.close)) lines.push(i === 0 ? '— no close matches; the nearest —' : '— more, not as close —');
    const lead = mode === 'filters' ? formatDate(h.item) : h.score.toFixed(3);
    lines.push(`${String(i + 1).padStart(rank)}  ${lead}  ${h.item.kind.padEnd(5)}  ${displayPath(h.item.path, cwd)}`);
    const indent = ' '.repeat(rank + lead.length + 11);
    if (h.match.segment.kind !== 'image') lines.push(`${indent}${explain(h, 60, options.bold ?? false)}`);
    if (h.link && h.link.reasons.length) lines.push(`${indent}${h.link.reasons.join(' · ')}`);
  });
  return lines.join('\n');
}

/** An item's date as a person reads it: the day, with the time when known; `~` marks a file's modification time. */
export function formatDate(item: Pick<ItemSummary, 'takenAt' | 'timeSource' | 'timeDay'>): string {
  if (item.takenAt === null) return 'no date   ';
  const iso = new Date(item.takenAt).toISOString();
  const day = iso.slice(0, 10);
  const text = item.timeDay ? day : `${day} ${iso.slice(11, 16)}`;
  return `${item.timeSource === 'mtime' ? '~' : ''}${text}`;
}

/** A collection on one line: id, title, dates, counts. */
export function formatCollections(list: readonly CollectionSummary[]): string {
  if (list.length === 0) return 'No collections yet (they are made after indexing, from photos, notes and recordings that belong together).';
  const width = String(Math.max(...list.map((c) => c.id))).length;
  return list
    .map((c) => {
      const flags = [c.pinned ? 'pinned' : '', c.hidden ? 'hidden' : ''].filter(Boolean).join(', ');
      return `${String(c.id).padStart(width)}  ${c.title}  ·  ${formatSpanShort(c.start, c.end)}  ·  ${formatCounts(c.counts)}${flags ? `  (${flags})` : ''}`;
    })
    .join('\n');
}

export function formatCounts(counts: CollectionSummary['counts']): string {
  const parts: string[] = [];
  const say = (n: number, one: string, many: string) => n && parts.push(`${n} ${n === 1 ? one : many}`);
  say(counts.photo, 'photo', 'photos');
  say(counts.note, 'note', 'notes');
  say(counts.audio, 'recording', 'recordings');
  return parts.join(', ') || 'empty';
}

function formatSpanShort(start: number, end: number): string {
  const a = new Date(start).toISOString().slice(0, 10);
  const b = new Date(end).toISOString().slice(0, 10);
  return a === b ? a : `${a} – ${b}`;
}

/** A collection with its members in time order. */
export function formatCollection(c: CollectionDetail, cwd = process.cwd()): string {
  const lines = [`${c.title}  (collection ${c.id})`, `${formatSpanShort(c.start, c.end)}  ·  ${formatCounts(c.counts)}`, ''];
  for (const m of c.members) {
    lines.push(`  ${formatDate(m.item).padEnd(17)} ${m.item.kind.padEnd(5)}  ${displayPath(m.item.path, cwd)}${m.role === 'added' ? '  (added by you)' : ''}`);
    if (m.excerpt) lines.push(`${' '.repeat(27)}“${oneLine(m.excerpt, 70)}”`);
  }
  return lines.join('\n');
}

export function formatSummary(s: IndexSummary): string {
  const parts = [`${s.added} added`, `${s.changed} changed`, `${s.unchanged} unchanged`, `${s.removed} removed`];
  if (s.reembedded) parts.splice(2, 0, `${s.reembedded} re-embedded for the new model`);
  if (s.moved) parts.splice(2, 0, `${s.moved} moved`);
  if (s.failed) parts.push(`${s.failed} failed (trove status --errors)`);
  if (s.ocr) parts.push(`${s.ocr} photo${s.ocr === 1 ? '' : 's'} read for text`);
  if (s.transcribed) parts.push(`${s.transcribed} recording${s.transcribed === 1 ? '' : 's'} transcribed`);
  const embedded = s.embedded.images + s.embedded.texts;
  return `Indexed ${s.scanned} file${s.scanned === 1 ? '' : 's'} in ${s.seconds.toFixed(1)} s: ${parts.join(', ')}; ` +
    (embedded ? `embedded ${s.embedded.images} image${s.embedded.images === 1 ? '' : 's'} and ${s.embedded.texts} text chunk${s.embedded.texts === 1 ? '' : 's'}.` : 'nothing needed embedding.');
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

/** One line of progress bar, fitted to `columns`. */
export function progressLine(p: IndexProgress, columns: number): string {
  if (p.phase === 'scanning') return 'Scanning…'.slice(0, columns);
  const label = p.phase === 'ocr' ? 'Reading text ' : p.phase === 'transcribing' ? 'Transcribing ' : '';
  const fraction = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  const stats = ` ${p.done}/${p.total}` + (p.ratePerSecond > 0 ? ` ${p.ratePerSecond.toFixed(1)}/s` : '') +
    (p.etaSeconds !== null && p.done < p.total ? ` ${formatDuration(p.etaSeconds)} left` : '') + (p.failed ? ` ${p.failed} failed` : '');
  const barWidth = Math.max(10, Math.min(30, columns - stats.length - 25));
  const filled = Math.round(fraction * barWidth);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`;
  const current = p.current ? ` ${p.current}` : '';
  const line = `${label}${bar}${stats}${current}`;
  return line.length > columns ? `${line.slice(0, Math.max(0, columns - 1))}…` : line;
}

export function formatStatus(s: IndexStatus, cwd = process.cwd()): string {
  const lines: string[] = [];
  lines.push(s.model ? `Model: ${s.model.id} (revision ${s.model.revision}) from ${displayPath(s.model.path, cwd)}` : 'Model: none chosen yet (trove index <folder> --model <pack>)');
  const total = s.counts.photo + s.counts.note + s.counts.audio;
  lines.push(`Items: ${total} (${s.counts.photo} photos, ${s.counts.note} notes, ${s.counts.audio} recordings), ${s.errors} with errors`);
  if (s.roots.length === 0) lines.push('Folders: none (trove index <folder>)');
  else {
    lines.push('Folders:');
    for (const r of s.roots) {
      const watch = r.watch === 'polling' ? '  (too many folders to watch: rescanned every 30 s)' : '';
      lines.push(`  ${r.path}  ${r.items} items${r.errors ? `, ${r.errors} errors` : ''}${r.present ? '' : '  (missing: items kept until it returns)'}${watch}`);
      if (r.ignore.length) lines.push(`    ignoring ${r.ignore.join(', ')}`);
    }
  }
  for (const sp of s.spaces) {
    const state = sp.state === 'building' ? `building (${sp.items} of ${total} items; the active space answers until it is complete)` : sp.state;
    lines.push(`Space ${sp.id}: ${sp.modelId}@${sp.revision}, ${sp.dimensions} dimensions, ${state}, ${sp.items} items, ${sp.vectors} vectors`);
  }
  if (s.nearest.state === 'building') lines.push(`Search index: building, ${s.nearest.done} of ${s.nearest.total} vectors (searches are exact until it is done)`);
  else if (s.nearest.state === 'ready') lines.push(`Search index: approximate, ${s.nearest.total} vectors (exact rescoring)`);
  if (s.ocrPending) lines.push(`Text in photos: ${s.ocrPending} photo${s.ocrPending === 1 ? '' : 's'} still to read (the next index run reads them)`);
  if (s.transcriptionPending) {
    const n = `${s.transcriptionPending} recording${s.transcriptionPending === 1 ? '' : 's'}`;
    lines.push(
      s.transcriptionBlocked
        ? `Transcripts: ${n} ${s.transcriptionPending === 1 ? 'waits' : 'wait'} for a speech model: ${s.transcriptionBlocked}`
        : `Transcripts: ${n} still to transcribe (the next index run transcribes them)`,
    );
  }
  if (s.queued) lines.push(`Queue: ${s.queued} file${s.queued === 1 ? '' : 's'} to index${s.queuedWhy ? `: ${s.queuedWhy}` : ''}`);
  if (s.skipped) lines.push(`Skipped: ${s.skipped} path${s.skipped === 1 ? '' : 's'} not followed (links that lead outside their folder; trove status --errors lists them)`);
  lines.push(`Collections: ${s.collections}${s.linking ? ` (${s.linking} changes to link and group: the next index run does it)` : ''}`);
  if (s.progress.phase !== 'idle') lines.push(`Indexing: ${s.progress.done}/${s.progress.total}${s.progress.paused ? ' (paused)' : ''}`);
  if (s.progress.waiting) lines.push(`Waiting: ${s.progress.waiting}`);
  return lines.join('\n');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

function bar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** One line of download progress: bar, bytes of total, rate, time left, file. */
export function downloadLine(p: ModelProgress, columns: number): string {
  const size = p.total !== null ? `${formatBytes(p.bytes)}/${formatBytes(p.total)}` : formatBytes(p.bytes);
  const rate = p.ratePerSecond > 0 ? ` ${formatBytes(p.ratePerSecond)}/s` : '';
  const eta = p.total !== null && p.ratePerSecond > 0 && p.bytes < p.total ? ` ${formatDuration((p.total - p.bytes) / p.ratePerSecond)} left` : '';
  const stats = ` ${size}${rate}${eta} ${p.id} ${p.fileIndex}/${p.files} ${p.file}`;
  const line = `${p.total !== null ? bar(p.bytes / p.total, Math.max(10, Math.min(30, columns - stats.length - 10))) : 'Downloading'}${stats}`;
  return line.length > columns ? `${line.slice(0, Math.max(0, columns - 1))}…` : line;
}

export function formatModels(models: readonly ModelListing[], cwd = process.cwd()): string {
  if (models.length === 0) return 'No model packs.';
  return models
    .map((m) => {
      const state = m.installed
        ? `installed (${m.installed.variant ?? 'fp32'}, ${formatBytes(m.installed.bytes)}) at ${displayPath(m.installed.path, cwd)}`
        : `not installed${m.downloadBytes !== null ? `, ${formatBytes(m.downloadBytes)} to download` : ''}${m.pinned ? '' : ' (unpinned: checksums recorded at download)'}`;
      return `${m.id.padEnd(16)} ${m.title}\n${' '.repeat(17)}${m.task === 'speech' ? 'speech to text' : `${m.dimensions} dimensions`}, ${m.licence}${m.source ? `, ${m.source}` : ''}; ${state}`;
    })
    .join('\n');
}

export function formatDoctor(d: Diagnostics, cwd = process.cwd()): string {
  const lines = [
    `Trove ${d.versions.trove ?? '?'}`,
    `Runtime: ${Object.entries(d.versions).filter(([k]) => k !== 'trove').map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `Data folder: ${displayPath(d.dataDir, cwd)}`,
    `Device: ${d.device}; execution providers: ${d.providers.map((p) => `${p.name} (${p.note})`).join(', ')}`,
    `Threads: ${d.threads.intraOp} for inference of ${d.threads.cores} cores`,
    d.model ? `Model: ${d.model.id}@${d.model.revision} on ${d.provider ?? '?'}, from ${displayPath(d.model.path, cwd)}` : `Model: not loaded${d.modelError ? ` (${d.modelError})` : ''}`,
    'Packs:',
    ...d.packs.map((p) => `  ${p.id}: ${p.installed ? `installed (${p.installed.variant ?? 'fp32'}, ${formatBytes(p.installed.bytes)})` : 'not installed'}`),
    `OCR: ${d.ocr.model}${d.ocr.version ? ` ${d.ocr.version}` : ''}: ${d.ocr.ready ? `ready (${formatBytes(d.ocr.files.reduce((n, f) => n + (f.bytes ?? 0), 0))})` : 'missing: reinstall Trove (npm install) to read text in photos'}`,
    ...d.ocr.files.map((f) => `  ${displayPath(f.path, cwd)}${f.bytes === null ? ' (missing)' : ''}`),
  ];
  return lines.join('\n');
}

const RELATION: Readonly<Record<DuplicateRelation, string>> = { keep: 'keep', copy: 'copy', resized: 'resized', similar: 'similar' };

/** Groups of near-duplicates: the one to keep and why, then the others with how they differ. [Note: duplicates] */
export function formatDuplicates(d: DuplicatesResponse, cwd = process.cwd()): string {
  if (d.groups.length === 0) return `No near-duplicates among ${d.photos} photo${d.photos === 1 ? '' : 's'}.`;
  const lines: string[] = [];
  d.groups.forEach((g, i) => {
    const others = g.members.filter((m) => m.relation !== 'keep');
    const freed = others.reduce((n, m) => n + m.item.size, 0);
    lines.push(`${i + 1}. ${g.members.length} photos, ${formatBytes(freed)} to free — keep the first: ${g.why}`);
    for (const m of g.members) {
      const size = m.item.width && m.item.height ? `${m.item.width}×${m.item.height}, ` : '';
      const alike = m.relation === 'keep' ? '' : `  (${[m.similarity !== null ? `meaning ${m.similarity.toFixed(2)}` : null, m.difference !== null ? `${m.difference}/64 bits apart` : null].filter(Boolean).join(', ')})`;
      lines.push(`   ${RELATION[m.relation].padEnd(7)}  ${displayPath(m.item.path, cwd)}  ${size}${formatBytes(m.item.size)}${alike}`);
    }
  });
  const more = d.total > d.groups.length ? ` (${d.total - d.groups.length} more groups: --limit ${d.total})` : '';
  lines.push(`${d.total} group${d.total === 1 ? '' : 's'} among ${d.photos} photos${more}. Nothing was moved or deleted.`);
  return lines.join('\n');
}
