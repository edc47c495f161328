"""Checkpoints: a trained model in plain JSON, checked on the way back in.

JSON writes every float with repr(), which reads back as the very same float,
so a loaded model samples exactly the names the saved one would have. A
SHA-256 over the content catches a truncated or accidentally damaged file (it
is no signature: whoever edits a file on purpose can recompute it, so every
field is checked as well). Nothing is ever unpickled, so a checkpoint is data
and never code.
"""
import hashlib
import json
import math
import random
from pathlib import Path

from .data import as_path, output_target, read_file, write_atomically
from .model import MAX_PARAMS, GPT, Config, num_params, weight_shapes
from .tokenizer import Tokenizer, first_unprintable

FORMAT = 'microgpt-checkpoint'
VERSION = 1
MAX_BYTES = 32 * MAX_PARAMS     # room for MAX_PARAMS weights (at most 26 characters each) and the vocabulary
FIELDS = {'format', 'version', 'config', 'uchars', 'weights', 'rng_state', 'extra', 'sha256'}


class CheckpointError(ValueError):
    """A file that is not a valid checkpoint of this format, or a place a checkpoint cannot go."""


def _digest(payload):
    canonical = json.dumps(payload, sort_keys=True, separators=(',', ':'), allow_nan=False)
    return hashlib.sha256(canonical.encode('utf-8')).hexdigest()


def save_target(path, data=None):
    """The file a checkpoint for path will replace (see output_target), never the data file."""
    return output_target(path, 'save to', CheckpointError, inputs=[data] if data else [],
                         inputs_are='the data file')


def save_checkpoint(path, model, tokenizer, rng=None, **extra):
    """Write config, vocabulary, weights (and the rng's state, if given) to path, atomically.

    extra holds small JSON facts to keep alongside (e.g. temperature=0.5).
    Whatever load_checkpoint would refuse is refused here, before writing.
    """
    target = save_target(path)
    payload = {
        'format': FORMAT, 'version': VERSION,
        'config': {k: getattr(model.config, k) for k in Config.__dataclass_fields__},
        'uchars': ''.join(tokenizer.uchars),
        'weights': model.frozen().weights,
        'rng_state': None if rng is None else _rng_state_to_json(rng.getstate()),
        'extra': extra,
    }
    try:
        payload['sha256'] = _digest(payload)
        text = json.dumps(payload, allow_nan=False) + '\n'
    except (TypeError, ValueError) as e:                # e.g. an infinite weight, or an object in extra
        raise CheckpointError(f"cannot save to {path}: {e}") from None
    _check_payload(json.loads(text), f"cannot save to {path}")
    write_atomically(target, text.encode('utf-8'))


def load_checkpoint(path):
    """(model on Value weights, tokenizer, rng or None, extra) from a checkpoint file."""
    path = as_path(path, 'the checkpoint path')
    raw = read_file(path, 'checkpoint', MAX_BYTES, CheckpointError)
    try:
        payload = json.loads(raw.decode('utf-8'), parse_constant=_reject_constant)
    except RecursionError:
        raise CheckpointError(f"checkpoint {path} is not a checkpoint: its JSON is nested too deeply") from None
    except (UnicodeDecodeError, ValueError) as e:
        raise CheckpointError(f"checkpoint {path} is not readable JSON ({e})") from None
    config, tokenizer, rng = _check_payload(payload, f"checkpoint {path} is invalid")
    return GPT(config, payload['weights']).thawed(), tokenizer, rng, payload['extra']


def _check_payload(payload, where):
    """(config, tokenizer, rng or None) of a parsed checkpoint, every field checked."""
    def check(ok, problem):
        if not ok:
            raise CheckpointError(f"{where}: {problem}")
    check(isinstance(payload, dict) and payload.get('format') == FORMAT, "not a microgpt checkpoint")
    check(payload.get('version') == VERSION, f"version {payload.get('version')!r}, expected {VERSION}")
    check(set(payload) == FIELDS, "unexpected or missing fields")
    try:
        intact = payload['sha256'] == _digest({k: v for k, v in payload.items() if k != 'sha256'})
    except (ValueError, RecursionError):    # e.g. 1e400 read back as infinity, or deeply nested extra
        intact = False
    check(intact, "its checksum does not match: the file was truncated or modified")
    check(isinstance(payload['config'], dict) and isinstance(payload['uchars'], str), "bad config or vocabulary")
    unprintable = first_unprintable(payload['uchars'])
    check(unprintable is None, f"its vocabulary holds {unprintable!r}, a control character or lone surrogate "
                               f"that no data file gives and no terminal prints")
    try:
        config = Config(**payload['config'])
        tokenizer = Tokenizer(payload['uchars'])
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"{where}: {e}") from None
    check(config.vocab_size == tokenizer.vocab_size,
          f"vocab_size {config.vocab_size} does not fit {tokenizer.vocab_size - 1} characters + BOS")
    check(num_params(config) <= MAX_PARAMS,
          f"its config has {num_params(config):,} parameters, more than the {MAX_PARAMS:,} this program handles")
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
            raise CheckpointError(f"{where}: bad random state ({e})") from None
    check(isinstance(payload['extra'], dict), "bad extra field")
    return config, tokenizer, rng


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
