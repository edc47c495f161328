"""Data loading and downloading, the tokenizer, and checkpoints: exact round trips, clear errors, atomic writes."""
import hashlib
import json
import random

import pytest
import requests

from microgpt_lib import (GPT, CheckpointError, Config, DataError, Tokenizer, load_checkpoint,
                          load_docs, parse_docs, sample_names, save_checkpoint)
from microgpt_lib import data as data_module
from microgpt_lib.checkpoint import _digest

NAMES = data_module.NAMES_PATH


def test_shipped_names_are_the_makemore_file():
    assert hashlib.sha256(NAMES.read_bytes()).hexdigest() == data_module.NAMES_SHA256
    assert len(load_docs()) == 32033


def test_parsing_strips_lines_and_drops_blank_ones(tmp_path):
    path = tmp_path / 'docs.txt'
    path.write_bytes(b'\n  anna \r\n\r\n\tbob\n   \ncarl')
    assert load_docs(path) == ['anna', 'bob', 'carl']
    assert parse_docs(' x \n\n y ') == ['x', 'y']


def test_tokenizer_round_trip_and_unknown_characters():
    tok = Tokenizer.from_docs(['emma', 'ava'])
    assert tok.uchars == ['a', 'e', 'm', 'v'] and tok.BOS == 4 and tok.vocab_size == 5
    assert tok.document('ava') == [4, 0, 3, 0, 4]
    assert tok.decode(tok.encode('mama')) == 'mama'
    with pytest.raises(ValueError, match=r"never saw 'x', 'z'"):
        tok.encode('zax')
    with pytest.raises(ValueError, match='no character'):
        tok.decode([4])


class FakeResponse:
    def __init__(self, content, status=200):
        self.content, self.status = content, status

    def raise_for_status(self):
        if self.status != 200:
            raise requests.HTTPError(f"{self.status} Server Error")


def test_missing_names_are_downloaded_checked_and_written(tmp_path, monkeypatch):
    monkeypatch.setattr(requests, 'get', lambda url, timeout: FakeResponse(NAMES.read_bytes()))
    target = tmp_path / 'sub' / 'names.txt'
    assert data_module.ensure_names(target) == target
    assert target.read_bytes() == NAMES.read_bytes()


def test_without_shipped_names_the_download_goes_to_the_working_directory(tmp_path, monkeypatch):
    shipped = tmp_path / 'package' / 'names.txt'          # an install whose names are missing
    monkeypatch.setattr(data_module, 'NAMES_PATH', shipped)
    monkeypatch.setattr(requests, 'get', lambda url, timeout: FakeResponse(NAMES.read_bytes()))
    monkeypatch.chdir(tmp_path)
    assert data_module.ensure_names() == tmp_path / 'names.txt'
    monkeypatch.setattr(requests, 'get', lambda url, timeout: pytest.fail('no second download expected'))
    assert len(load_docs()) == 32033                       # later loads use that download
    assert not shipped.parent.exists()


@pytest.mark.parametrize('get, message', [
    (lambda url, timeout: (_ for _ in ()).throw(requests.ConnectionError('no network')), 'download failed'),
    (lambda url, timeout: FakeResponse(b'', 404), 'download failed'),
    (lambda url, timeout: FakeResponse(b'<html>half a file'), 'not the expected one'),
])
def test_failed_downloads_explain_and_leave_nothing_behind(tmp_path, monkeypatch, get, message):
    monkeypatch.setattr(requests, 'get', get)
    with pytest.raises(DataError, match=message) as error:
        data_module.ensure_names(tmp_path / 'names.txt')
    assert 'by hand' in str(error.value)
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_names_file_is_refused_not_used(tmp_path, monkeypatch):
    damaged = tmp_path / 'names.txt'
    damaged.write_bytes(NAMES.read_bytes()[:1000])                 # e.g. half a download
    monkeypatch.setattr(requests, 'get', lambda url, timeout: pytest.fail('no download expected'))
    with pytest.raises(DataError, match='is not the names file.*Delete it to download it again'):
        data_module.ensure_names(damaged)
    assert damaged.stat().st_size == 1000                           # left for the user to inspect


def test_an_interrupted_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / 'file.txt'
    path.write_bytes(b'old')
    def crash(fd):
        raise KeyboardInterrupt
    monkeypatch.setattr(data_module.os, 'fsync', crash)
    with pytest.raises(KeyboardInterrupt):
        data_module.write_atomically(path, b'new content')
    assert path.read_bytes() == b'old' and list(tmp_path.iterdir()) == [path]


def tiny_model(seed=0, **config):
    tok = Tokenizer('abc')
    return GPT.initialise(Config(tok.vocab_size, **{'n_embd': 4, 'n_head': 2, 'block_size': 5, **config}),
                          random.Random(seed)), tok


def test_checkpoint_round_trip_is_exact(tmp_path):
    model, tok = tiny_model()
    rng = random.Random(11)
    save_checkpoint(tmp_path / 'm.json', model, tok, rng, temperature=0.7)
    loaded, tok2, rng2, extra = load_checkpoint(tmp_path / 'm.json')
    assert loaded.config == model.config and tok2.uchars == tok.uchars and extra == {'temperature': 0.7}
    assert [p.data for p in loaded.parameters()] == [p.data for p in model.parameters()]
    assert sample_names(loaded, tok2, rng2, 0.7, 5) == sample_names(model, tok, rng, 0.7, 5)
    assert (tmp_path / 'm.json').read_text().lstrip().startswith('{')        # JSON, never pickle


def rewrite(path, change):
    """Edit a checkpoint and recompute its checksum, as a careful forger would."""
    payload = json.loads(path.read_text())
    del payload['sha256']
    change(payload)
    payload['sha256'] = _digest(payload)
    path.write_text(json.dumps(payload))


@pytest.mark.parametrize('change, message', [
    (lambda p: p['config'].update(n_embd=8), 'wte is not a 4x8 matrix'),
    (lambda p: p['config'].update(n_layer=2), 'not the ones this config needs'),
    (lambda p: p['config'].update(n_head=3), 'divisible'),
    (lambda p: p.update(uchars='abcd'), 'does not fit'),
    (lambda p: p['weights']['wte'][0].__setitem__(0, 'x'), 'finite numbers'),
    (lambda p: p['rng_state'].__setitem__(0, 99), 'random state'),
    (lambda p: p.update(version=2), 'version'),
    (lambda p: p.update(format='pickle'), 'not a microgpt checkpoint'),
])
def test_checkpoints_of_another_shape_or_edited_are_refused(tmp_path, change, message):
    model, tok = tiny_model()
    path = tmp_path / 'm.json'
    save_checkpoint(path, model, tok, random.Random(0))
    rewrite(path, change)
    with pytest.raises(CheckpointError, match=message):
        load_checkpoint(path)


@pytest.mark.parametrize('edit', [lambda text: text.replace('0.', '1.', 1),
                                  lambda text: text.replace('"wte": [[', '"wte": [[1e400, ', 1)])
def test_edited_weights_break_the_checksum(tmp_path, edit):
    model, tok = tiny_model()
    path = tmp_path / 'm.json'
    save_checkpoint(path, model, tok)
    path.write_text(edit(path.read_text()))
    with pytest.raises(CheckpointError, match='checksum'):
        load_checkpoint(path)
