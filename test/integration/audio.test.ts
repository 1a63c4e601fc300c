// Recordings in a library: indexed without a speech pack (found by name, waiting for a transcript, status says
// why), transcribed once one is there (a test transcriber that finds speech by loudness, then the real Whisper code
// path with the fixture pack), found by what was said with the time it was said, resumed after a stop mid-way,
// and bad recordings kept as error items. [Note: audio] [Note: transcription]
import { copyFileSync, cpSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/index.js';
import { Store } from '../../src/main/engine/store/index.js';
import { EnergyTranscriber } from '../fixtures/energy-transcriber.js';
import { composeSpeech, convert, missingSpeechTools, SENTENCES, wavBytes, writeHostileAudio, writeSpeechSet, type Speech } from '../fixtures/make-speech.js';
import { COLOURS_PACK, eventually, REPO, tempDir } from '../helpers.js';

const missing = missingSpeechTools();
if (missing.length) console.warn(`recording tests skipped: ${missing.join(' and ')} not installed (Debian: apt-get install espeak-ng ffmpeg)`);

const WHISPER_FIXTURE = join(REPO, 'test/fixtures/packs/whisper-tiny-fixture');
const FORMATS = ['.wav', '.mp3', '.m4a', '.opus', '.ogg', '.flac'];

describe.skipIf(missing.length > 0)('recordings in a library', () => {
  const tmp = tempDir('audio');
  const lib = join(tmp.dir, 'lib');
  const data = join(tmp.dir, 'data');
  let speech: Speech;
  let hostile: { path: string; reason: RegExp }[];
  const open = (extra: Partial<Parameters<typeof Engine.open>[0]> = {}) => Engine.open({ dataDir: data, model: COLOURS_PACK, ocr: false, ...extra });

  beforeAll(() => {
    speech = composeSpeech(SENTENCES);
    const files = writeSpeechSet(join(tmp.dir, 'made'), 'harbour', speech, []);
    mkdirSync(join(lib, 'memos'), { recursive: true });
    for (const ext of FORMATS) convert(files.source!, join(lib, 'memos', `harbour${ext}`), ext === '.wav' ? ['-ar', '44100', '-ac', '2'] : []);
    // A voice memo as a phone writes it: M4A with the recording's date and time, and a descriptive name.
    convert(files.source!, join(lib, 'Interview at the lighthouse.m4a'), ['-c:a', 'aac', '-b:a', '48k'], { creation_time: '2024-06-01T09:30:00Z' });
    writeFileSync(join(lib, 'notes.md'), '# Trip\n\nA red boat in the harbour.\n');
    hostile = writeHostileAudio(join(lib, 'broken'), { wav: join(lib, 'memos/harbour.wav'), m4a: join(lib, 'memos/harbour.m4a') });
  });

  afterAll(() => tmp.cleanup());

  it('indexes recordings without a speech pack: found by name, waiting, and status says what to fetch', async () => {
    const engine = open({ speechModel: 'whisper-base' });
    try {
      await engine.addRoot({ path: lib });
      const summary = await engine.indexNow();
      expect(summary).toMatchObject({ added: 7 + 1, failed: hostile.length, transcribed: 0 });
      const status = await engine.status();
      expect(status.counts.audio).toBe(7);
      expect(status.transcriptionPending).toBe(7);
      expect(status.transcriptionBlocked).toMatch(/trove models download whisper-base/);

      const memo = await engine.getItem({ path: join(lib, 'Interview at the lighthouse.m4a') });
      expect(memo).toMatchObject({ kind: 'audio', title: 'Interview at the lighthouse', status: 'indexed' });
      expect(Math.abs(memo.durationMs! - speech.seconds * 1000)).toBeLessThan(60);
      // 09:30 UTC as the wall clock of this computer's zone, like a photo's capture time.
      const instant = Date.UTC(2024, 5, 1, 9, 30);
      expect(memo.takenAt).toBe(instant - new Date(instant).getTimezoneOffset() * 60_000);
      expect(memo.segments.map((s) => s.kind)).toEqual(['text']); // its title, until it is transcribed
      const plain = await engine.getItem({ path: join(lib, 'memos/harbour.flac') });
      expect(plain).toMatchObject({ timeSource: 'mtime', timeDay: false }); // no recording time in the file, no date in its name [Note: item-times]
      expect(memo).toMatchObject({ timeSource: 'tags' });

      const byName = await engine.search({ query: 'interview', limit: 3 });
      expect(byName.hits[0]!.item.path).toBe(join(lib, 'Interview at the lighthouse.m4a'));
      expect(byName.hits[0]!.match.lexical).toBe(true);
      expect((await engine.search({ query: 'seagulls', kinds: ['audio'] })).hits.filter((h) => h.match.lexical)).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('keeps bad recordings as error items with a reason, never a crash', async () => {
    const engine = open();
    try {
      const errors = engine.errors();
      for (const h of hostile) {
        const item = errors.find((e) => e.path === h.path);
        expect(item?.error, h.path).toMatch(h.reason);
      }
      expect(errors).toHaveLength(hostile.length);
    } finally {
      await engine.close();
    }
  });

  it('transcribes once a speech model is there: timed transcript segments, found by what was said', async () => {
    const transcriber = new EnergyTranscriber();
    const engine = open({ transcriber });
    try {
      const summary = await engine.indexNow();
      expect(summary).toMatchObject({ added: 0, transcribed: 7, failed: 0 });
      expect(await engine.status()).toMatchObject({ transcriptionPending: 0, transcriptionBlocked: null });

      for (const ext of FORMATS) {
        const item = await engine.getItem({ path: join(lib, 'memos', `harbour${ext}`) });
        const said = item.segments.filter((s) => s.kind === 'transcript');
        expect(said.map((s) => s.text), ext).toEqual(['passage one', 'passage two', 'passage three']);
        said.forEach((s, i) => {
          expect(Math.abs(s.start! - speech.utterances[i]!.start * 1000), `${ext} passage ${i + 1}`).toBeLessThan(100);
          expect(s.end!).toBeGreaterThan(s.start!);
        });
      }

      // Words said in a recording find it, and the match says when they were said.
      const { hits } = await engine.search({ query: 'passage two', kinds: ['audio'], limit: 10 });
      expect(hits).toHaveLength(7);
      for (const h of hits) {
        expect(h.match).toMatchObject({ lexical: true, segment: { kind: 'transcript', text: 'passage two' } });
        expect(Math.abs(h.match.segment.start! - speech.utterances[1]!.start * 1000)).toBeLessThan(100);
      }

      // Once per version: nothing is heard again.
      const calls = transcriber.calls.length;
      expect(await engine.indexNow()).toMatchObject({ transcribed: 0, embedded: { images: 0, texts: 0 } });
      expect(transcriber.calls.length).toBe(calls);
    } finally {
      await engine.close();
    }
  });

  it('keeps a transcript when the recording moves, and transcribes a changed one again', async () => {
    const transcriber = new EnergyTranscriber();
    const engine = open({ transcriber });
    try {
      renameSync(join(lib, 'memos/harbour.ogg'), join(lib, 'memos/harbour-moved.ogg'));
      const short = composeSpeech(SENTENCES.slice(0, 1));
      writeFileSync(join(tmp.dir, 'short.wav'), wavBytes(short.samples, short.rate));
      convert(join(tmp.dir, 'short.wav'), join(lib, 'memos/harbour.flac'), []);
      const summary = await engine.indexNow();
      expect(summary).toMatchObject({ moved: 1, changed: 1, transcribed: 1 });
      const moved = await engine.getItem({ path: join(lib, 'memos/harbour-moved.ogg') });
      expect(moved.segments.filter((s) => s.kind === 'transcript')).toHaveLength(3);
      const changed = await engine.getItem({ path: join(lib, 'memos/harbour.flac') });
      expect(changed.segments.filter((s) => s.kind === 'transcript').map((s) => s.text)).toEqual(['passage one']);
      expect(Math.abs(changed.durationMs! - short.seconds * 1000)).toBeLessThan(60);
    } finally {
      await engine.close();
    }
  });

  it('goes on where it stopped when the engine closes mid-transcription, hearing nothing twice', async () => {
    const long = composeSpeech(SENTENCES, { repeat: 6, gap: 1.5 }); // ≈ 90 s: four windows
    writeFileSync(join(tmp.dir, 'long.wav'), wavBytes(long.samples, long.rate));
    convert(join(tmp.dir, 'long.wav'), join(lib, 'long walk.opus'), ['-c:a', 'libopus', '-b:a', '24k']);

    let closing: Promise<void> | null = null;
    const stopper = new (class extends EnergyTranscriber {
      override async transcribe(pcm: Float32Array, offset: number, isLast: boolean) {
        const t = await super.transcribe(pcm, offset, isLast);
        if (this.calls.length === 2) closing = engine.close(); // a quit while the second window is heard
        return t;
      }
    })();
    let engine = open({ transcriber: stopper });
    await engine.indexNow();
    await closing;
    expect(stopper.calls).toHaveLength(2);

    const store = Store.open(join(data, 'library.db'));
    const id = store.db.prepare(`SELECT id FROM items WHERE rel_path = 'long walk.opus'`).pluck().get() as number;
    const checkpoint = store.transcripts.get(id)!;
    expect(checkpoint.complete).toBe(false);
    expect(checkpoint.doneSeconds).toBeGreaterThan(30);
    expect(store.db.prepare(`SELECT count(*) FROM segments WHERE item_id = ? AND kind = 'transcript'`).pluck().get(id)).toBe(0); // never half a transcript
    store.close();

    const after = new EnergyTranscriber();
    engine = open({ transcriber: after });
    try {
      expect((await engine.status()).transcriptionPending).toBe(1);
      expect(await engine.indexNow()).toMatchObject({ transcribed: 1 });
      expect(after.calls[0]!.offset).toBeCloseTo(checkpoint.doneSeconds, 3); // not from the start
      const item = await engine.getItem({ path: join(lib, 'long walk.opus') });
      const said = item.segments.filter((s) => s.kind === 'transcript');
      expect(said).toHaveLength(long.utterances.length);
      said.forEach((s, i) => expect(Math.abs(s.start! - long.utterances[i]!.start * 1000)).toBeLessThan(100));
    } finally {
      await engine.close();
    }
  });

  it('transcribes a recording dropped into a watched folder', async () => {
    const engine = open({ transcriber: new EnergyTranscriber() });
    const handle = engine.watch();
    const path = join(lib, 'dropped in.mp3');
    try {
      await handle.ready;
      copyFileSync(join(lib, 'memos/harbour.mp3'), path);
      await eventually(async () => {
        try {
          return (await engine.getItem({ path })).segments.filter((s) => s.kind === 'transcript').length === 3;
        } catch {
          return false;
        }
      }, 'the dropped recording to be transcribed');
    } finally {
      await handle.close();
      await engine.close();
    }
  });

  it('transcribes through the real Whisper code path with the fixture pack', async () => {
    const engine = open({ speechModel: WHISPER_FIXTURE });
    try {
      const summary = await engine.indexNow();
      expect(summary.transcribed).toBe(9); // a new model: every recording is heard again
      const memo = await engine.getItem({ path: join(lib, 'memos/harbour.mp3') });
      const said = memo.segments.filter((s) => s.kind === 'transcript');
      expect(said.map((s) => s.text)).toEqual(['hello', 'hello', 'hello']); // the fixture says "hello" for each long utterance
      said.forEach((s, i) => expect(Math.abs(s.start! - speech.utterances[i]!.start * 1000)).toBeLessThan(120));
      const { hits } = await engine.search({ query: 'hello', kinds: ['audio'], limit: 20 });
      const hit = hits.find((h) => h.item.path === join(lib, 'memos/harbour.mp3'))!;
      expect(hit.match).toMatchObject({ lexical: true, segment: { kind: 'transcript' } });
      expect(Math.abs(hit.match.segment.start! - speech.utterances[0]!.start * 1000)).toBeLessThan(120);
    } finally {
      await engine.close();
    }
  });

  it('shows waiting recordings and the line said in `trove` output', async () => {
    const run = async (args: string[]) => {
      try {
        const { stdout } = await promisify(execFile)(process.execPath, [join(REPO, 'bin/trove.js'), ...args, '--data-dir', data], { cwd: REPO });
        return stdout;
      } catch (error) {
        throw new Error(`trove ${args.join(' ')}: ${(error as { stderr: string }).stderr}`);
      }
    };
    copyFileSync(join(lib, 'memos/harbour.wav'), join(lib, 'memos/copy of harbour.wav'));
    expect(await run(['index', '--speech-model', 'whisper-base'])).toMatch(/1 added/);
    expect(await run(['status', '--speech-model', 'whisper-base'])).toMatch(
      /Transcripts: 1 recording waits? for a speech model: the speech model whisper-base is not downloaded yet \(trove models download whisper-base\)/,
    );
    // The pack appears (as `trove models download whisper-base` leaves it): the next run transcribes what waited.
    cpSync(WHISPER_FIXTURE, join(data, 'models', 'whisper-base'), { recursive: true });
    expect(await run(['index'])).toMatch(/1 recording transcribed/);
    expect(await run(['status'])).not.toMatch(/Transcripts:/);
    expect(await run(['search', 'hello', '--kind', 'audio', '--limit', '1'])).toMatch(/audio .*\n\s+at 0:00: “hello”/);
    expect(await run(['settings', 'speech-model', WHISPER_FIXTURE])).toContain(`speech model: ${WHISPER_FIXTURE}`);
  });
});

describe.skipIf(missing.length > 0)('a transcription killed mid-way', () => {
  const tmp = tempDir('audio-kill');
  const lib = join(tmp.dir, 'lib');
  const data = join(tmp.dir, 'data');
  afterAll(() => tmp.cleanup());

  /** `trove index` in a child with debug lines; killed with SIGKILL right after its first window is saved, if asked. */
  function index(kill: boolean): Promise<{ lines: string[]; signal: NodeJS.Signals | null }> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [join(REPO, 'bin/trove.js'), 'index', lib, '--no-ocr', '--model', COLOURS_PACK, '--speech-model', WHISPER_FIXTURE, '--data-dir', data],
        { cwd: REPO, env: { ...process.env, TROVE_LOG: 'debug' } },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (kill && stderr.includes('[ingest/indexer] window heard')) child.kill('SIGKILL');
      });
      child.on('error', reject);
      child.on('close', (_code, signal) => resolve({ lines: stderr.split('\n').filter((l) => l.includes('[ingest/indexer]')), signal }));
    });
  }

  it('loses only the window in flight: no half transcript, and the restart goes on from the checkpoint', async () => {
    const long = composeSpeech(SENTENCES, { repeat: 12 }); // ≈ 150 s: six windows
    mkdirSync(lib, { recursive: true });
    writeFileSync(join(tmp.dir, 'long.wav'), wavBytes(long.samples, long.rate));
    convert(join(tmp.dir, 'long.wav'), join(lib, 'long.flac'), []);

    const killed = await index(true);
    expect(killed.signal).toBe('SIGKILL');
    let store = Store.open(join(data, 'library.db'));
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    const id = store.db.prepare(`SELECT id FROM items WHERE rel_path = 'long.flac'`).pluck().get() as number;
    const checkpoint = store.transcripts.get(id)!;
    expect(checkpoint).toMatchObject({ complete: false });
    expect(checkpoint.doneSeconds).toBeGreaterThan(0);
    expect(checkpoint.doneSeconds).toBeLessThan(long.seconds - 30);
    expect(store.db.prepare(`SELECT count(*) FROM segments WHERE item_id = ? AND kind = 'transcript'`).pluck().get(id)).toBe(0);
    store.close();

    const again = await index(false);
    expect(again.signal).toBeNull();
    const from = again.lines.find((l) => l.includes('transcribing'))!;
    expect(JSON.parse(from.slice(from.indexOf('{'))).from).toBeCloseTo(checkpoint.doneSeconds, 3); // not from the start
    store = Store.open(join(data, 'library.db'));
    const done = store.transcripts.get(id)!;
    expect(done.complete).toBe(true);
    const starts = store.db.prepare(`SELECT start FROM segments WHERE item_id = ? AND kind = 'transcript' ORDER BY start`).pluck().all(id) as number[];
    expect(starts).toHaveLength(long.utterances.length); // every utterance once: none lost, none heard twice
    starts.forEach((ms, i) => expect(Math.abs(ms - long.utterances[i]!.start * 1000)).toBeLessThan(120));
    store.close();
  });
});

describe.skipIf(missing.length > 0)('a speech model that fails mid-recording', () => {
  const tmp = tempDir('audio-fail');
  afterAll(() => tmp.cleanup());

  it('keeps the recording waiting with its checkpoint, and the next run goes on from there', async () => {
    const lib = join(tmp.dir, 'lib');
    mkdirSync(lib, { recursive: true });
    const speech = composeSpeech(SENTENCES, { repeat: 3 }); // ≈ 38 s: two windows
    writeFileSync(join(tmp.dir, 'src.wav'), wavBytes(speech.samples, speech.rate));
    convert(join(tmp.dir, 'src.wav'), join(lib, 'memo.ogg'), ['-c:a', 'libvorbis']);
    const failing = new (class extends EnergyTranscriber {
      override async transcribe(pcm: Float32Array, offset: number, isLast: boolean) {
        if (this.calls.length === 1) throw new Error('the speech worker exited');
        return super.transcribe(pcm, offset, isLast);
      }
    })();
    const dataDir = join(tmp.dir, 'data');
    let engine = Engine.open({ dataDir, model: COLOURS_PACK, ocr: false, transcriber: failing });
    await engine.addRoot({ path: lib });
    expect(await engine.indexNow()).toMatchObject({ added: 1, failed: 0, transcribed: 0 });
    expect((await engine.status()).transcriptionPending).toBe(1);
    const item = await engine.getItem({ path: join(lib, 'memo.ogg') });
    expect(item.status).toBe('indexed'); // the recording itself is fine
    expect(item.segments.some((s) => s.kind === 'transcript')).toBe(false);
    await engine.close();

    const working = new EnergyTranscriber();
    engine = Engine.open({ dataDir, model: COLOURS_PACK, ocr: false, transcriber: working });
    try {
      expect(await engine.indexNow()).toMatchObject({ transcribed: 1 });
      expect(working.calls[0]!.offset).toBeGreaterThan(0); // from the checkpoint of the first window
      const said = (await engine.getItem({ path: join(lib, 'memo.ogg') })).segments.filter((s) => s.kind === 'transcript');
      expect(said).toHaveLength(speech.utterances.length);
    } finally {
      await engine.close();
    }
  });
});
