"""Write the board's chime, a two-note bell, as a small WAV: `python -m display.chime`.

The sound is generated rather than downloaded, so its origin and licence are plain; the result
is committed at static/sounds/chime.wav.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22050
NOTES = ((659.25, 0.0), (523.25, 0.45))  # E5 then C5, the classic "ding-dong"
LENGTH_S = 1.6
OUT = Path(__file__).resolve().parent.parent / "static" / "sounds" / "chime.wav"


def samples() -> list[int]:
    """Each note a sine with two soft overtones and an exponential decay, mixed."""
    total = int(RATE * LENGTH_S)
    mixed = [0.0] * total
    for frequency, start_s in NOTES:
        for i in range(int(start_s * RATE), total):
            t = i / RATE - start_s
            envelope = math.exp(-3.2 * t) * min(1.0, t * 200)
            tone = sum(
                weight * math.sin(2 * math.pi * frequency * harmonic * t)
                for harmonic, weight in ((1, 1.0), (2, 0.35), (3, 0.12))
            )
            mixed[i] += envelope * tone
    peak = max(abs(value) for value in mixed)
    return [int(value / peak * 0.8 * 32767) for value in mixed]


def write(path: Path = OUT) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        frames = samples()
        out.writeframes(struct.pack(f"<{len(frames)}h", *frames))
    return path


if __name__ == "__main__":
    print(f"wrote {write()}")
