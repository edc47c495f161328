"""Hostile input (issue 10): nothing the user owns is lost, nothing hangs, every refusal is one clear line."""
import errno
import json
import os
import random
import subprocess
import sys

import pytest

from conftest import ROOT
from microgpt_lib import (GPT, CheckpointError, Config, DataError, Tokenizer, load_checkpoint, load_docs,
                          sample_names, save_checkpoint, train)
from microgpt_lib import __main__ as program
from microgpt_lib import arrays, data as data_module
from microgpt_lib.checkpoint import _digest
from microgpt_lib.engine import topological_order
from microgpt_lib.model import check_size, num_params, training_cost, weight_shapes
from microgpt_lib.sample import most_likely
from microgpt_lib.tokenizer import Documents
from microgpt_lib.train import TrainingDiverged, document_loss

NAMES = ROOT / 'data' / 'names.txt'
GOLDEN = ROOT / 'tests' / 'golden'


def run(*args, cwd=ROOT):
    """python -m microgpt_lib with args, never left hanging."""
    return subprocess.run([sys.executable, '-m', 'microgpt_lib', *map(str, args)], cwd=cwd, timeout=120,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)


def recorded(name):
    """The original's recorded stdout for a case (up to its crash, if it crashes)."""
    return (GOLDEN / name).read_text(encoding='utf-8')


def snapshot(folder):
    """Every entry below folder: its kind, and for regular files their bytes and modification time."""
    found = {}
    for path in sorted(folder.rglob('*')):
        info = os.lstat(path)
        regular = path.is_file() and not path.is_symlink()
        found[path] = (info.st_mode, info.st_mtime_ns if regular else None,
                       path.read_bytes() if regular else os.readlink(path) if path.is_symlink() else None)
    return found


@pytest.fixture
def place(tmp_path):
    """A folder with a data file, a checkpoint, a FIFO, symlinks and forged checkpoints to point the program at."""
    (tmp_path / 'data.txt').write_text('anna\nbob\ncarla\n')
    (tmp_path / 'bom_only.txt').write_bytes(b'\xef\xbb\xbf')
    (tmp_path / 'dir').mkdir()
    os.mkfifo(tmp_path / 'fifo')
    (tmp_path / 'to_data').symlink_to(tmp_path / 'data.txt')
    (tmp_path / 'loop').symlink_to(tmp_path / 'loop')
    (tmp_path / 'nested.json').write_text('[' * 100_000 + ']' * 100_000)    # too deep for json on 3.10 to 3.13
    model, tok = tiny_model()
    save_checkpoint(tmp_path / 'model.json', model, tok, random.Random(0), temperature=0.5, samples=3)
    forge(tmp_path / 'model.json', tmp_path / 'many_samples.json', lambda p: p['extra'].update(samples=10**100))
    forge(tmp_path / 'model.json', tmp_path / 'many_layers.json', lambda p: p['config'].update(n_layer=10**8))
    return tmp_path


def forge(source, target, change):
    """An edited checkpoint whose checksum was recomputed, as a careful forger would."""
    payload = json.loads(source.read_text())
    del payload['sha256']
    change(payload)
    payload['sha256'] = _digest(payload)
    target.write_text(json.dumps(payload))


def tiny_model(seed=0, std=0.08, **config):
    tok = Tokenizer('abc')
    config = Config(tok.vocab_size, **{'n_embd': 4, 'n_head': 2, 'block_size': 5, **config})
    return GPT.initialise(config, random.Random(seed), std), tok


@pytest.mark.parametrize('args, message', [
    (['--save', '{tmp}/dir'], 'is a directory'),
    (['--save', ''], 'must be a file name'),
    (['--save', '{tmp}/new/'], 'names a folder'),
    (['--save', '{tmp}/missing/m.json'], 'does not exist'),
    (['--save', '{tmp}/' + 'x' * 300], 'too long'),
    (['--save', '{tmp}/fifo'], 'not a regular file'),
    (['--save', '{tmp}/loop'], 'symlink loop'),
    (['--data', '{tmp}/data.txt', '--save', '{tmp}/data.txt'], 'is the data file'),
    (['--data', '{tmp}/data.txt', '--save', '{tmp}/to_data'], 'is the data file'),
    (['--data', '{tmp}/fifo'], 'not a regular file'),
    (['--data', '/dev/zero'], 'not a regular file'),
    (['--data', '/dev/null'], 'not a regular file'),
    (['--load', '/dev/zero'], 'not a regular file'),
    (['--load', '{tmp}/fifo'], 'not a regular file'),
    (['--data', '{tmp}/bom_only.txt'], 'has no documents'),
    (['--load', '{tmp}/nested.json'], 'nested too deeply'),
    (['--load', '{tmp}/many_samples.json'], 'samples must be a whole number from 0 to 100,000'),
    (['--load', '{tmp}/many_layers.json'], '19,200,000,052 parameters, more than the 20,000,000'),
    (['--samples', 100_001], '--samples must be a whole number from 0 to 100,000'),
    (['--temperature', 5e-324], 'too small'),
    (['--n-embd', 100000, '--n-head', 1], 'too large: 120,007,000,000 parameters'),
    (['--block-size', 1000000000], 'too large: 16,000,003,936 parameters'),
    (['--n-layer', 100000], 'too large: 307,201,120 parameters'),
    (['--engine', 'numpy', '--block-size', 100000], 'about 81 GB per training step on the numpy engine'),
    (['--steps', 'x'], "argument --steps: invalid int value: 'x' (see python -m microgpt_lib --help)"),
    (['--colour'], 'unrecognized arguments: --colour (see'),
])
def test_refusals_are_one_line_exit_2_and_change_nothing_on_disk(place, args, message):
    before = snapshot(place)
    result = run(*[str(a).format(tmp=place) for a in args])
    assert (result.returncode, result.stdout) == (2, '')
    assert result.stderr.startswith('error: ') and result.stderr.count('\n') == 1
    assert message in result.stderr
    assert snapshot(place) == before


@pytest.mark.skipif(os.geteuid() == 0, reason='root writes into read-only folders')
def test_a_read_only_folder_is_refused_before_training(tmp_path):
    (tmp_path / 'ro').mkdir(mode=0o555)
    result = run('--save', tmp_path / 'ro' / 'm.json')
    assert result.returncode == 2 and 'is not writable' in result.stderr and result.stdout == ''


def test_save_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path):
    (tmp_path / 'real.json').write_text('old')
    link = tmp_path / 'link.json'
    link.symlink_to('real.json')
    result = run('--steps', 2, '--samples', 1, '--save', link)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == 'real.json'
    assert load_checkpoint(tmp_path / 'real.json')[0].config.n_embd == 16
    assert sorted(p.name for p in tmp_path.iterdir()) == ['link.json', 'real.json']


def test_a_failed_save_at_the_end_says_the_model_was_not_saved(tmp_path, monkeypatch, capsys):
    def disk_full(path, content):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr('microgpt_lib.checkpoint.write_atomically', disk_full)
    code = program.main(['--steps', '1', '--samples', '1', '--save', str(tmp_path / 'm.json')])
    out, err = capsys.readouterr()
    assert code == 2 and out.startswith('num docs: ')
    assert err == 'error: the trained model was not saved: [Errno 28] No space left on device\n'
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_after_the_save_says_where_the_checkpoint_is(tmp_path, monkeypatch, capsys):
    def interrupted(*args):
        raise KeyboardInterrupt
    monkeypatch.setattr(program, 'sample_names', interrupted)
    target = tmp_path / 'm.json'
    assert program.main(['--steps', '1', '--save', str(target)]) == 130
    assert capsys.readouterr().err == f'interrupted: the checkpoint was saved to {target}\n'
    assert load_checkpoint(target)[0].config.n_layer == 1


@pytest.mark.parametrize('engine', ['scalar', 'numpy'])
def test_divergence_stops_both_engines_with_one_line_after_the_original_output(engine):
    args = ['--learning-rate', 0.5, '--steps', 10, '--samples', 2]
    result = run('--data', NAMES, '--engine', engine, *args)
    assert result.returncode == 2
    assert result.stderr == ('error: training diverged at step 4: the loss or the weights are no longer '
                             'finite numbers; try a lower learning rate\n')
    assert result.stdout == recorded('diverged_lr05.txt')   # the original then fails: math domain error


@pytest.mark.parametrize('engine', [train, arrays.train])
def test_divergence_in_the_library_raises_at_the_same_step_on_both_engines(engine):
    model, tok = tiny_model()
    if engine is arrays.train:
        model = arrays.ArrayGPT.from_gpt(model)
    losses = []
    with pytest.raises(TrainingDiverged, match='at step 2:'):
        for _, loss in engine(model, [tok.document('abcab'), tok.document('cab')], 10, learning_rate=1e6):
            losses.append(loss)
    assert len(losses) == 1


def test_a_tiny_temperature_gives_the_most_likely_names_on_both_engines():
    args = ['--data', NAMES, '--steps', 20, '--learning-rate', 0.1, '--samples', 4]
    coldest = run(*args, '--temperature', 1e-308)
    assert coldest.returncode == 0, coldest.stderr
    assert coldest.stdout == run(*args, '--temperature', 1e-308, '--engine', 'numpy').stdout
    assert coldest.stdout == recorded('cold_t1e-300.txt')   # the original at 1e-300: greedy, no overflow


def test_most_likely_is_the_zero_temperature_limit_and_sampling_uses_it():
    assert most_likely([1.0, 3.0, 2.0]) == [0.0, 1.0, 0.0]
    assert most_likely([3.0, 1.0, 3.0]) == [0.5, 0.0, 0.5]
    model, tok = tiny_model(std=3.0)                        # logits large enough to overflow at 1e-308
    names = sample_names(model, tok, random.Random(1), 1e-308, 5)
    assert names == sample_names(model, tok, random.Random(1), 1e-300, 5)
    assert names == arrays.sample_names(arrays.ArrayGPT.from_gpt(model), tok, random.Random(1), 1e-308, 5)


def test_a_leading_bom_is_dropped_and_the_output_equals_the_run_without_it(tmp_path):
    plain = tmp_path / 'plain.txt'
    plain.write_text('anna\nbob\nzoë\n', encoding='utf-8')
    with_bom = tmp_path / 'bom.txt'
    with_bom.write_bytes(b'\xef\xbb\xbf' + plain.read_bytes())
    assert load_docs(with_bom) == ['anna', 'bob', 'zoë']
    args = ['--steps', 5, '--samples', 3]
    assert run('--data', with_bom, *args).stdout == run('--data', plain, *args).stdout


def test_reads_are_bounded_and_refuse_non_files(tmp_path, monkeypatch):
    big = tmp_path / 'big.txt'
    big.write_text('anna\n' * 100)
    monkeypatch.setattr(data_module, 'MAX_DATA_BYTES', 499)
    with pytest.raises(DataError, match='is larger than 0.000499 MB'):
        load_docs(big)
    model, tok = tiny_model()
    save_checkpoint(tmp_path / 'm.json', model, tok)
    monkeypatch.setattr('microgpt_lib.checkpoint.MAX_BYTES', 100)
    with pytest.raises(CheckpointError, match='is larger than 0.0001 MB'):
        load_checkpoint(tmp_path / 'm.json')
    for bad in (1, b'names.txt', ''):
        with pytest.raises(ValueError, match='must be a file name'):
            load_docs(bad)
    for bad in (1, None, b'model.json', ''):
        with pytest.raises(ValueError, match='must be a file name'):
            load_checkpoint(bad)
    os.fstat(1)                                             # file descriptor 1 was never read nor closed


def test_out_of_range_ids_are_refused_by_both_engines():
    model, tok = tiny_model()
    keys, values = model.new_cache()
    for token_id, pos_id, problem in [(-1, 0, 'token id -1'), (4, 0, 'token id 4'),
                                      (0, -1, 'position -1'), (0, 5, 'position 5')]:
        with pytest.raises(ValueError, match=problem):
            model(token_id, pos_id, keys, values)
    array = arrays.ArrayGPT.from_gpt(model)
    with pytest.raises(ValueError, match='token id -1 is out of range'):
        array.logits([3, -1])
    with pytest.raises(ValueError, match='token id 7 is out of range'):
        array.loss([3, 7, 3])


@pytest.mark.parametrize('document', [[], [3], [3, -1, 3], [3, 9]])
@pytest.mark.parametrize('engine', ['scalar', 'numpy'])
def test_documents_too_short_or_with_bad_ids_are_refused(engine, document):
    model, _ = tiny_model()
    train_on = train
    if engine == 'numpy':
        model, train_on = arrays.ArrayGPT.from_gpt(model), arrays.train
    with pytest.raises(ValueError, match='at least 2 tokens|out of range'):
        next(train_on(model, [document], 3))
    if engine == 'scalar':
        with pytest.raises(ValueError, match='at least 2 tokens|out of range'):
            document_loss(model, document)


def test_save_refuses_what_load_would_refuse(tmp_path):
    model, tok = tiny_model()
    with pytest.raises(CheckpointError, match='does not fit 4 characters'):
        save_checkpoint(tmp_path / 'm.json', model, Tokenizer('abcd'))
    with pytest.raises(CheckpointError, match='not JSON serializable'):
        save_checkpoint(tmp_path / 'm.json', model, tok, note=object())
    model.weights['wte'][0][0].data = float('nan')
    with pytest.raises(CheckpointError, match='not JSON compliant'):
        save_checkpoint(tmp_path / 'm.json', model, tok)
    assert list(tmp_path.iterdir()) == []


def test_num_params_counts_every_weight():
    for config in [Config(27), Config(5, 3, 12, 3, 7), Config(100, 2, 8, 1, 64)]:
        assert num_params(config) == sum(nout * nin for _, nout, nin in weight_shapes(config))


@pytest.mark.parametrize('config', [Config(27), Config(27, 2, 32, 4, 32), Config(100, 1, 8, 2, 64)])
def test_the_graph_estimate_is_close_to_the_real_graph(config):
    model = GPT.initialise(config, random.Random(0))
    tokens = [config.vocab_size - 1] + [i % (config.vocab_size - 1) for i in range(config.block_size)]
    nodes = len(topological_order(document_loss(model, tokens)))
    assert 0.7 * nodes < training_cost(config)[1] < 1.3 * nodes


def test_size_checks_refuse_absurd_models_and_accept_the_course_ones():
    check_size(Config(27))
    check_size(Config(27, 4, 64, 4, 64), 'numpy')
    check_size(Config(27, block_size=100_000), 'scalar', positions=16)   # short documents: a small graph
    with pytest.raises(ValueError, match='too large'):
        check_size(Config(27, block_size=100_000), 'numpy', positions=16)   # the mask alone: 80 GB
    with pytest.raises(ValueError, match='too large'):
        check_size(Config(27, n_layer=1000))


def test_engines_check_the_size_before_allocating():
    with pytest.raises(ValueError, match='too large: 307,201,120 parameters'):
        GPT.initialise(Config(27, n_layer=100_000), random.Random(0))
    with pytest.raises(ValueError, match='too large: 307,201,120 parameters'):
        arrays.ArrayGPT.initialise(Config(27, n_layer=100_000), random.Random(0))
    long_context, _ = tiny_model(block_size=30_000)        # fine for Values; a 7 GB mask for arrays
    with pytest.raises(ValueError, match='about 8 GB per training step on the numpy engine'):
        arrays.ArrayGPT.from_gpt(long_context)


def test_documents_are_encoded_only_when_used():
    tok = Tokenizer('abc')
    documents = Documents(tok, ['ab', 'cz', 'c'])          # 'z' is not in the vocabulary...
    assert len(documents) == 3 and documents[0] == [3, 0, 1, 3] and documents[2] == [3, 2, 3]
    with pytest.raises(ValueError, match="never saw 'z'"):  # ...which shows only when its turn comes
        documents[1]
