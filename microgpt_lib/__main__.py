"""python -m microgpt_lib: train microgpt and invent names, printing what the original prints."""
import argparse
import math
import random
import re
import sys

from tqdm import tqdm

from .checkpoint import load_checkpoint, save_checkpoint, save_target
from .data import NAMES_PATH, keep_stderr, load_docs
from .model import GPT, Config, check_size
from .sample import check_sampling_cost, check_temperature, sample_names
from .tokenizer import Documents, Tokenizer
from .train import train

DEFAULTS = dict(seed=42, data=None, n_layer=1, n_embd=16, n_head=4, block_size=16,
                steps=1000, learning_rate=0.01, temperature=0.5, samples=20)
MODEL_OPTIONS = ('n_layer', 'n_embd', 'n_head', 'block_size')
MAX_SAMPLES = 100_000       # some 5 minutes of sampling on the scalar engine; more is surely a slip


class Parser(argparse.ArgumentParser):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # argparse (before 3.13) reads '-1e-3' as an option, not as the value of --learning-rate
        self._negative_number_matcher = re.compile(r'^-(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$', re.IGNORECASE)

    def error(self, message):
        """One line, not the whole usage block."""
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def parse_args(argv):
    p = Parser(
        prog='python -m microgpt_lib',
        description="Train microgpt on one document per line, then sample new ones. "
                    "With no options it prints exactly what Karpathy's microgpt prints.")
    p.add_argument('--seed', type=int, help='random seed (default 42)')
    p.add_argument('--data', help='UTF-8 text file, one document per line (default: the names)')
    p.add_argument('--n-layer', type=int, help='transformer layers (default 1)')
    p.add_argument('--n-embd', type=int, help='embedding width (default 16)')
    p.add_argument('--n-head', type=int, help='attention heads; must divide --n-embd (default 4)')
    p.add_argument('--block-size', type=int, help='longest context in tokens (default 16)')
    p.add_argument('--steps', type=int, help='training steps, one document each (default 1000)')
    p.add_argument('--learning-rate', type=float, help='Adam learning rate, decayed linearly to 0 (default 0.01)')
    p.add_argument('--temperature', type=float, help='sampling temperature, above 0 (default 0.5)')
    p.add_argument('--samples', type=int, help='how many names to sample (default 20)')
    p.add_argument('--save', metavar='PATH', help='write a checkpoint after training')
    p.add_argument('--load', metavar='PATH', help='sample from a checkpoint instead of training')
    p.add_argument('--engine', choices=('scalar', 'numpy'), default='scalar',
                   help='scalar: the Value graph, as the original; numpy: the same model on arrays, '
                        'much faster (default scalar)')
    return p.parse_args(argv)


def check_args(given, a):
    """Refuse bad settings before anything is read, trained or written."""
    if a.steps < 1:
        raise ValueError(f"--steps must be at least 1, got {a.steps}")
    if not (math.isfinite(a.learning_rate) and a.learning_rate > 0):
        raise ValueError(f"--learning-rate must be a finite number above 0, got {a.learning_rate}")
    check_samples('--samples', a.samples)
    try:
        check_temperature(a.temperature)
    except ValueError as e:
        raise ValueError(f"--{e}") from None
    Config(2, **{k: getattr(a, k) for k in MODEL_OPTIONS})   # checks n_embd % n_head and friends
    if a.load is not None and a.save is not None:
        raise ValueError("--save and --load cannot be combined: --load does not train")
    if a.save is not None:
        save_target(a.save, data=a.data or NAMES_PATH)      # before training, not after
    if a.load is not None and given & {'steps', 'learning_rate'}:
        raise ValueError("--steps and --learning-rate do not apply to --load, which does not train")


def check_samples(what, samples):
    if type(samples) is not int or not 0 <= samples <= MAX_SAMPLES:
        raise ValueError(f"{what} must be a whole number from 0 to {MAX_SAMPLES:,}, got {samples!r}")


def print_samples(names):
    print("\n--- inference (new, hallucinated names) ---")
    for i, name in enumerate(names):
        print(f"sample {i + 1:2d}: {name}")


def engine(name):
    """(model converter, train, sample_names) of the scalar or the NumPy array engine."""
    if name == 'numpy':
        from . import arrays      # NumPy is imported only when asked for
        return arrays.ArrayGPT.from_gpt, arrays.train, arrays.sample_names
    return (lambda model: model), train, sample_names


def run_training(a):
    rng = random.Random(a.seed)
    docs = load_docs(a.data)
    tokenizer = Tokenizer.from_docs(docs)
    config = Config(tokenizer.vocab_size, **{k: getattr(a, k) for k in MODEL_OPTIONS})
    check_size(config, a.engine, positions=max(map(len, docs)) + 1)
    check_sampling_cost(config, a.engine, a.samples)      # before training, not after
    rng.shuffle(docs)
    print(f"num docs: {len(docs)}")
    print(f"vocab size: {tokenizer.vocab_size}")
    model = GPT.initialise(config, rng)
    print(f"num params: {len(model.parameters())}")
    to_engine, train_on, sample_on = engine(a.engine)
    model = to_engine(model)
    bar = tqdm(total=a.steps, file=sys.stderr, disable=not sys.stderr.isatty(), unit='step', leave=False)
    with bar:
        for step, loss in train_on(model, Documents(tokenizer, docs, config.block_size), a.steps, a.learning_rate):
            tqdm.write(f"step {step + 1:4d} / {a.steps:4d} | loss {loss:.4f}", file=sys.stdout)
            bar.update()
    if a.save is not None:
        try:
            save_checkpoint(a.save, model, tokenizer, rng, temperature=a.temperature, samples=a.samples)
        except (ValueError, OSError) as e:          # e.g. the disk filled up during training
            raise ValueError(f"the trained model was not saved: {e}") from None
        a.saved = a.save
    print_samples(sample_on(model, tokenizer, rng, a.temperature, a.samples))


def run_loaded(given, a):
    model, tokenizer, rng, extra = load_checkpoint(a.load)
    for k in MODEL_OPTIONS:
        if k in given and getattr(a, k) != getattr(model.config, k):
            raise ValueError(f"--{k.replace('_', '-')} {getattr(a, k)} does not match the checkpoint "
                             f"({k} {getattr(model.config, k)})")
    if 'data' in given and Tokenizer.from_docs(load_docs(a.data)).uchars != tokenizer.uchars:
        raise ValueError(f"--data {a.data} has other characters than the checkpoint's vocabulary")
    if 'seed' in given or rng is None:
        rng = random.Random(a.seed)
    temperature = a.temperature if 'temperature' in given else extra.get('temperature', a.temperature)
    samples = a.samples if 'samples' in given else extra.get('samples', a.samples)
    check_samples(f"checkpoint {a.load}: samples", samples)
    try:
        check_temperature(temperature)
        check_sampling_cost(model.config, a.engine, samples)     # a block_size of 50,000 could sample for hours
    except ValueError as e:
        raise ValueError(f"checkpoint {a.load}: {e}") from None
    to_engine, _, sample_on = engine(a.engine)
    print_samples(sample_on(to_engine(model), tokenizer, rng, temperature, samples))


def main(argv=None):
    keep_stderr()
    if hasattr(sys.stdout, 'reconfigure'):    # a console that cannot show a character shows its escape
        sys.stdout.reconfigure(errors='backslashreplace')
    args = parse_args(argv)
    given = {k for k, v in vars(args).items() if v is not None}
    for k, v in DEFAULTS.items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    args.saved = None
    try:
        check_args(given, args)
        if args.load is not None:
            run_loaded(given, args)
        else:
            run_training(args)
    except (ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        saved = f"the checkpoint was saved to {args.saved}" if args.saved else "nothing was saved"
        print(f"interrupted: {saved}", file=sys.stderr)
        return 130
    return 0


if __name__ == '__main__':
    sys.exit(main())
