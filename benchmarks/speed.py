"""How fast are the engines? Times the scalar engine, the array engine and, if given, the original.

    python benchmarks/speed.py                                 # both engines, the default 1000 steps
    python benchmarks/speed.py --steps 50                      # a quick look
    python benchmarks/speed.py --original path/to/microgpt.py  # and the original: minutes more

--original takes Karpathy's microgpt.py as downloaded from the gist
(https://gist.github.com/karpathy/8627fe009c40f57531cb18360106ce95). It runs
with its own settings (1000 steps, 20 names) in a temporary folder holding the
shipped names as its input.txt, against python -m microgpt_lib at the same
defaults, and the script says whether their outputs are identical.

Both engines start from the same weights (seed 42, as the original), train on
the same documents, then sample from the same random state; the script also
reports how far their losses drift apart and whether the names agree.
"""
import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from microgpt_lib import GPT, Config, Tokenizer, load_docs, sample_names, train
from microgpt_lib import arrays

NAMES = Path(__file__).resolve().parent.parent / 'data' / 'names.txt'


def timed(fn):
    """(fn's result, seconds it took)."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def run_program(args, cwd=None):
    """(stdout, seconds) of a whole program run (start-up, data and printing included)."""
    return timed(lambda: subprocess.run([sys.executable, *args], cwd=cwd, check=True,
                                        capture_output=True, text=True).stdout)


def compare_with_the_original(original):
    """Karpathy's original against python -m microgpt_lib, both as whole programs at their defaults."""
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(NAMES, Path(folder) / 'input.txt')
        theirs, their_time = run_program([str(original.resolve())], cwd=folder)
    ours, our_time = run_program(['-m', 'microgpt_lib'])
    print(f"{'original program':28s}{their_time:11.2f}s")
    print(f"{'python -m microgpt_lib':28s}{our_time:11.2f}s  ({their_time / our_time:.1f}x faster)")
    print(f"same output as the original: {ours == theirs}\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--steps', type=int, default=1000, help='training steps per engine (default 1000)')
    parser.add_argument('--samples', type=int, default=20, help='names to sample per engine (default 20)')
    parser.add_argument('--original', type=Path,
                        help="Karpathy's microgpt.py from the gist, to time it too (at its defaults)")
    args = parser.parse_args(argv)
    if args.original:
        compare_with_the_original(args.original)

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
