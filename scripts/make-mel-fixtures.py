#!/usr/bin/env python3
"""Writes the log-mel parity fixtures for Trove's Whisper features: test/fixtures/speech/.

Trove computes Whisper's input features in TypeScript (src/main/engine/models/whisper-features.ts). This script
computes the reference the way transformers' WhisperFeatureExtractor does on its numpy path, written here from
the definition rather than from either implementation:

  * the waveform (float32) is zero-padded or cut to 30 s (480,000 samples at 16 kHz), then taken as float64;
  * centred frames: the signal is reflect-padded by n_fft // 2 on both sides, and frame t starts at t * hop;
  * each frame times a periodic Hann window of n_fft (400) samples, numpy's rfft of exactly n_fft points, stored
    as complex64 (as transformers stores the spectrogram), power = |X|^2 in float64;
  * mel filters from the formula: n_mels + 2 points equally spaced on the Slaney mel scale (linear below
    1 kHz, logarithmic above) between 0 and 8 kHz, triangles over the rfft bin frequencies, each scaled by
    2 / (its width in Hz) (Slaney area normalisation);
  * log10(max(mel, 1e-10)) as float32, the last frame dropped (3,000 frames), floored at max - 8,
    then (x + 4) / 4.

The audio: short phrases spoken by espeak-ng (English, German, Mandarin), resampled to 16 kHz 16-bit mono by sox,
and one synthetic signal (a loud chirp then faint noise, fixed seed). They are committed as WAV files so the
test reads exactly the samples the reference was computed from; the reference frames go to mel-reference.json
as base64 float32, a stride of the frames that see audio (and the last of them) for each case, plus the value
every frame after the audio must have (the floor).

Usage: /usr/bin/python3 scripts/make-mel-fixtures.py   (needs numpy, espeak-ng and sox; no network)
"""

import base64
import json
import os
import subprocess
import sys
import tempfile
import wave

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "speech")

SR = 16000
N_FFT = 400
HOP = 160
N_SAMPLES = 30 * SR

PHRASES = [
    ("en-hello", "en", "Hello from Trove."),
    ("de-morgen", "de", "Guten Morgen."),
    ("zh-nihao", "cmn", "你好"),
]


def speak(voice, text, path):
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "raw.wav")
        subprocess.run(["espeak-ng", "-v", voice, "-w", raw, text], check=True)
        subprocess.run(["sox", raw, "-r", str(SR), "-b", "16", "-c", "1", path], check=True)


def synthetic(path):
    rng = np.random.default_rng(20261123)
    t = np.arange(int(0.4 * SR)) / SR
    chirp = 0.9 * np.sin(2 * np.pi * (200 * t + (4000 - 200) / (2 * 0.4) * t ** 2))
    faint = 0.001 * rng.standard_normal(int(0.3 * SR))
    write_wav(path, np.concatenate([chirp, faint]))


def write_wav(path, samples):
    pcm = np.clip(np.round(samples * 32767), -32768, 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(pcm.tobytes())


def read_wav(path):
    with wave.open(path, "rb") as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2 and w.getframerate() == SR, path
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return (pcm.astype(np.float32) / np.float32(32768)).astype(np.float32)


def hz_to_mel(hz):
    hz = np.asarray(hz, dtype=np.float64)
    linear = hz / (200.0 / 3)
    logarithmic = 15.0 + np.log(np.maximum(hz, 1e-12) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(hz < 1000.0, linear, logarithmic)


def mel_to_hz(mel):
    mel = np.asarray(mel, dtype=np.float64)
    linear = mel * (200.0 / 3)
    logarithmic = 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0))
    return np.where(mel < 15.0, linear, logarithmic)


def mel_filters(n_mels):
    bins = np.linspace(0, SR / 2, N_FFT // 2 + 1)
    points = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(8000.0), n_mels + 2))
    filters = np.zeros((n_mels, bins.size))
    for m in range(n_mels):
        lo, mid, hi = points[m], points[m + 1], points[m + 2]
        rising = (bins - lo) / (mid - lo)
        falling = (hi - bins) / (hi - mid)
        filters[m] = np.maximum(0.0, np.minimum(rising, falling)) * (2.0 / (hi - lo))
    return filters


def log_mel(audio, n_mels):
    x = np.zeros(N_SAMPLES, dtype=np.float32)
    n = min(audio.size, N_SAMPLES)
    x[:n] = audio[:n]
    padded = np.pad(x.astype(np.float64), N_FFT // 2, mode="reflect")
    count = 1 + (padded.size - N_FFT) // HOP
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)
    frames = np.stack([padded[t * HOP:t * HOP + N_FFT] for t in range(count)]) * window
    spectrum = np.fft.rfft(frames, n=N_FFT, axis=1).astype(np.complex64)
    power = np.abs(spectrum.astype(np.complex128)) ** 2  # [frames, bins]
    mel = np.maximum(1e-10, mel_filters(n_mels) @ power.T)  # [n_mels, frames]
    log = np.log10(mel).astype(np.float32)[:, :-1]
    log = np.maximum(log, log.max() - np.float32(8.0))
    return ((log + np.float32(4.0)) / np.float32(4.0)).astype(np.float32)


def b64(array):
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f4").tobytes()).decode("ascii")


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, voice, text in PHRASES:
        speak(voice, text, os.path.join(OUT, f"{name}.wav"))
    synthetic(os.path.join(OUT, "chirp-faint.wav"))

    # (case name, wav, n_mels, frame stride, tile to this many seconds or None)
    plan = [
        ("en-hello 80 mels", "en-hello.wav", 80, 2, None),
        ("de-morgen 80 mels", "de-morgen.wav", 80, 3, None),
        ("zh-nihao 80 mels", "zh-nihao.wav", 80, 3, None),
        ("chirp-faint 80 mels", "chirp-faint.wav", 80, 3, None),
        ("de-morgen 128 mels", "de-morgen.wav", 128, 5, None),
        ("en-hello tiled to 31 s (cut to 30 s)", "en-hello.wav", 80, 97, 31),
    ]
    cases = []
    for case, wav, n_mels, stride, tile in plan:
        audio = read_wav(os.path.join(OUT, wav))
        if tile:
            audio = np.tile(audio, int(np.ceil(tile * SR / audio.size)))[: tile * SR]
        features = log_mel(audio, n_mels)
        # Frames that see any audio (a window reaches n_fft // 2 samples back); after them, only the floor.
        covered = min(features.shape[1], (min(audio.size, N_SAMPLES) + N_FFT // 2) // HOP + 2)
        frames = list(range(0, covered, stride))
        if frames[-1] != covered - 1:
            frames.append(covered - 1)
        floor = float(features.min())
        cases.append({
            "name": case,
            "wav": wav,
            "tileSeconds": tile,
            "nMels": n_mels,
            "frames": " ".join(str(f) for f in frames),
            "coveredFrames": covered,
            "floor": floor,
            "values": b64(features[:, frames]),  # [n_mels, len(frames)]
        })
        print(f"  {case}: {audio.size / SR:.2f} s, frames 0..{covered} step {stride}, floor {floor:.4f}")

    reference = {
        "about": "Whisper log-mel reference for Trove's feature parity test; written by scripts/make-mel-fixtures.py, do not edit.",
        "config": {"feature_size": 80, "n_fft": N_FFT, "hop_length": HOP, "sampling_rate": SR, "chunk_length": 30},
        "numpy": np.__version__,
        "cases": cases,
    }
    with open(os.path.join(OUT, "mel-reference.json"), "w", encoding="utf-8") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
