"""How fast are the engines? Times the original, the scalar engine and the array engine.

    python benchmarks/speed.py              # the default 1000 steps: about three minutes, mostly the original
    python benchmarks/speed.py --steps 50   # a quick look

Both engines start from the same weights (seed 42, as the original), train on
the same documents, then sample from the same random state; the script also
reports how far their losses drift apart and whether the names agree.
"""
import argparse
import random
import subprocess
import sys
import time
from pathlib import Path

from microgpt_lib import GPT, Config, Tokenizer, load_docs, sample_names, train
from microgpt_lib import arrays


def timed(fn):
    """(fn's result, seconds it took)."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def run_program(args):
    """Seconds a whole program run takes (start-up, data and printing included)."""
    return timed(lambda: subprocess.run([sys.executable, *args], check=True, stdout=subprocess.DEVNULL))[1]


def compare_with_the_original(steps):
    """The scalar engine against Karpathy's original, both as whole programs with identical output."""
    original = Path(__file__).resolve().parent.parent / 'tests' / 'original_microgpt.py'
    settings = ['--steps', str(steps), '--samples', '0']
    theirs = run_program([str(original), '--data', str(original.parent.parent / 'data' / 'names.txt'), *settings])
    ours = run_program(['-m', 'microgpt_lib', *settings])
    print(f"{f'original program, {steps} steps':28s}{theirs:11.2f}s  ({steps / theirs:.1f} steps/s)")
    print(f"{f'python -m microgpt_lib':28s}{ours:11.2f}s  ({steps / ours:.1f} steps/s, "
          f"{theirs / ours:.1f}x faster)\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--steps', type=int, default=1000, help='training steps per engine (default 1000)')
    parser.add_argument('--samples', type=int, default=20, help='names to sample per engine (default 20)')
    args = parser.parse_args(argv)
    compare_with_the_original(args.steps)

    rng = random.Random(42)
    docs = load_docs()
    tokenizer = Tokenizer.from_docs(docs)
    rng.shuffle(docs)
    documents = [tokenizer.document(doc) for doc in docs]
    scalar = GPT.initialise(Config(tokenizer.vocab_size), rng)
    array = arrays.ArrayGPT.from_gpt(scalar)

    scalar_losses, scalar_train = timed(lambda: [loss for _, loss in train(scalar, documents, args.steps)])
    array_losses, array_train = timed(lambda: [loss for _, loss in arrays.train(array, documents, args.steps)])
    state = rng.getstate()
    scalar_names, scalar_sample = timed(lambda: sample_names(scalar, tokenizer, rng, 0.5, args.samples))
    rng.setstate(state)
    array_names, array_sample = timed(lambda: arrays.sample_names(array, tokenizer, rng, 0.5, args.samples))

    print(f"{'':28s}{'scalar':>12s}{'numpy':>12s}{'speed-up':>10s}")
    print(f"{f'training, {args.steps} steps':28s}{scalar_train:11.2f}s{array_train:11.3f}s"
          f"{scalar_train / array_train:9.0f}x")
    print(f"{'  steps per second':28s}{args.steps / scalar_train:12.1f}{args.steps / array_train:12.0f}")
    print(f"{f'sampling, {args.samples} names':28s}{scalar_sample:11.3f}s{array_sample:11.3f}s"
          f"{scalar_sample / array_sample:9.1f}x")
    drift = max(abs(a - b) for a, b in zip(scalar_losses, array_losses))
    print(f"largest loss difference between the engines: {drift:.1e}")
    print(f"same names from both engines: {scalar_names == array_names}")


if __name__ == '__main__':
    main()
