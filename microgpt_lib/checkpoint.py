"""Checkpoints: a trained model in plain JSON, checked on the way back in.

JSON writes every float with repr(), which reads back as the very same float,
so a loaded model samples exactly the names the saved one would have. A
SHA-256 over the content catches a truncated or edited file; nothing is ever
unpickled, so a checkpoint is data and never code.
"""
import hashlib
import json
import math
import random

from .data import write_atomically
from .model import GPT, Config, weight_shapes
from .tokenizer import Tokenizer

FORMAT = 'microgpt-checkpoint'
VERSION = 1


class CheckpointError(ValueError):
    """A file that is not a valid checkpoint of this format."""


def _digest(payload):
    canonical = json.dumps(payload, sort_keys=True, separators=(',', ':'), allow_nan=False)
    return hashlib.sha256(canonical.encode('utf-8')).hexdigest()


def save_checkpoint(path, model, tokenizer, rng=None, **extra):
    """Write config, vocabulary, weights (and the rng's state, if given) to path, atomically.

    extra holds small JSON facts to keep alongside (e.g. temperature=0.5).
    """
    payload = {
        'format': FORMAT, 'version': VERSION,
        'config': {k: getattr(model.config, k) for k in Config.__dataclass_fields__},
        'uchars': ''.join(tokenizer.uchars),
        'weights': model.frozen().weights,
        'rng_state': None if rng is None else _rng_state_to_json(rng.getstate()),
        'extra': extra,
    }
    payload['sha256'] = _digest(payload)
    write_atomically(path, (json.dumps(payload, allow_nan=False) + '\n').encode('utf-8'))


def load_checkpoint(path):
    """(model on Value weights, tokenizer, rng or None, extra) from a checkpoint file."""
    try:
        with open(path, 'rb') as f:
            payload = json.loads(f.read().decode('utf-8'), parse_constant=_reject_constant)
    except FileNotFoundError:
        raise CheckpointError(f"checkpoint {path} does not exist") from None
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise CheckpointError(f"checkpoint {path} is not readable JSON ({e})") from None
    def check(ok, problem):
        if not ok:
            raise CheckpointError(f"checkpoint {path} is invalid: {problem}")
    check(isinstance(payload, dict) and payload.get('format') == FORMAT, "not a microgpt checkpoint")
    check(payload.get('version') == VERSION, f"version {payload.get('version')!r}, expected {VERSION}")
    check(set(payload) == {'format', 'version', 'config', 'uchars', 'weights', 'rng_state', 'extra', 'sha256'},
          "unexpected or missing fields")
    stored = payload.pop('sha256')
    try:
        intact = stored == _digest(payload)
    except ValueError:                  # e.g. 1e400 read back as infinity
        intact = False
    check(intact, "its checksum does not match: the file was truncated or modified")
    check(isinstance(payload['config'], dict) and isinstance(payload['uchars'], str), "bad config or vocabulary")
    try:
        config = Config(**payload['config'])
        tokenizer = Tokenizer(payload['uchars'])
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"checkpoint {path} is invalid: {e}") from None
    check(config.vocab_size == tokenizer.vocab_size,
          f"vocab_size {config.vocab_size} does not fit {tokenizer.vocab_size - 1} characters + BOS")
    weights = payload['weights']
    shapes = weight_shapes(config)
    check(isinstance(weights, dict) and list(weights) == [name for name, _, _ in shapes],
          "its weight matrices are not the ones this config needs")
    for name, nout, nin in shapes:
        mat = weights[name]
        check(isinstance(mat, list) and len(mat) == nout
              and all(isinstance(row, list) and len(row) == nin for row in mat),
              f"{name} is not a {nout}x{nin} matrix")
        check(all(type(x) is float and math.isfinite(x) for row in mat for x in row),
              f"{name} holds something other than finite numbers")
    rng = None
    if payload['rng_state'] is not None:
        rng = random.Random()
        try:
            rng.setstate(_rng_state_from_json(payload['rng_state']))
        except (TypeError, ValueError, OverflowError) as e:
            raise CheckpointError(f"checkpoint {path} is invalid: bad random state ({e})") from None
    check(isinstance(payload['extra'], dict), "bad extra field")
    model = GPT(config, weights).thawed()
    return model, tokenizer, rng, payload['extra']


def _reject_constant(name):
    raise ValueError(f"{name} is not a number")


def _rng_state_to_json(state):
    version, internal, gauss_next = state
    return [version, list(internal), gauss_next]


def _rng_state_from_json(state):
    if not (isinstance(state, list) and len(state) == 3 and isinstance(state[1], list)
            and all(type(x) is int for x in state[1])
            and (state[2] is None or type(state[2]) is float)):
        raise ValueError("not a Mersenne Twister state")
    version, internal, gauss_next = state
    return version, tuple(internal), gauss_next
