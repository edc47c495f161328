"""Hostile input (issue 10): nothing the user owns is lost, nothing hangs, every refusal is one clear line."""
import errno
import json
import os
import random
import subprocess
import sys
import tracemalloc

import pytest

from conftest import POSIX_ONLY, ROOT
from microgpt_lib import (GPT, CheckpointError, Config, DataError, Tokenizer, load_checkpoint, load_docs,
                          sample_names, save_checkpoint, train)
from microgpt_lib import __main__ as program
from microgpt_lib import arrays, data as data_module
from microgpt_lib.checkpoint import _digest
from microgpt_lib.engine import topological_order
from microgpt_lib.model import check_size, num_params, training_cost, weight_shapes
from microgpt_lib.sample import check_sampling_cost, most_likely
from microgpt_lib.tokenizer import Documents
from microgpt_lib.train import TrainingDiverged, document_loss

NAMES = ROOT / 'data' / 'names.txt'
GOLDEN = ROOT / 'tests' / 'golden'


def run(*args, cwd=ROOT, env=None):
    """python -m microgpt_lib with args, never left hanging."""
    return subprocess.run([sys.executable, '-m', 'microgpt_lib', *map(str, args)], cwd=cwd, timeout=120,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env)


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
    if os.name != 'posix':
        pytest.skip('FIFOs and /dev files are POSIX only')
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
    forge(tmp_path / 'model.json', tmp_path / 'long_block.json', long_block)
    forge(tmp_path / 'model.json', tmp_path / 'scorching.json', lambda p: p['extra'].update(temperature=10**400))
    for name, uchars in [('newline', 'a\nc'), ('esc', 'a\x1bc'), ('nul', 'a\0c'), ('surrogate', 'a\ud800c'),
                         ('twice', 'aac')]:
        forge(tmp_path / 'model.json', tmp_path / f'vocab_{name}.json', lambda p, u=uchars: p.update(uchars=u))
    (tmp_path / 'utf16.txt').write_text('anna\nbob\n', encoding='utf-16')
    (tmp_path / 'esc.txt').write_text('anna\nb\x1b[2Job\n')
    (tmp_path / 'long_line.txt').write_text('ab' * 11_000 + '\n')
    return tmp_path


def long_block(payload):
    """block_size 50,000 on a 3-character vocabulary: a sample may run 50,000 positions."""
    payload['config'].update(block_size=50_000)
    payload['weights']['wpe'] = [[0.0] * 4] * 50_000


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
    (['--engine', 'numpy', '--block-size', 22000, '--samples', 0, '--data', '{tmp}/long_line.txt'],
     'about 70 GB per training step on the numpy engine'),
    (['--engine', 'numpy', '--block-size', 100000], 'sampling 20 documents could take some 8,903,622 minutes'),
    (['--block-size', 22000], 'sampling 20 documents could take some 869 minutes on the scalar engine'),
    (['--load', '{tmp}/long_block.json'], 'long_block.json: sampling 3 documents could take some 167 minutes on the '
                                         'scalar engine: each may run all 50,000 positions'),
    (['--load', '{tmp}/long_block.json', '--engine', 'numpy'], 'sampling 3 documents could take some 41,700 minutes on the numpy'),
    (['--load', '{tmp}/scorching.json'], 'temperature must be a finite number above 0, got an integer too large'),
    (['--load', '{tmp}/vocab_newline.json'], "vocab_newline.json is invalid: its vocabulary holds '\\n', a control"),
    (['--load', '{tmp}/vocab_esc.json'], "its vocabulary holds '\\x1b'"),
    (['--load', '{tmp}/vocab_nul.json'], "its vocabulary holds '\\x00'"),
    (['--load', '{tmp}/vocab_surrogate.json'], "its vocabulary holds '\\ud800', a control character or lone surrogate"),
    (['--load', '{tmp}/vocab_twice.json'], 'a tokenizer needs distinct single characters'),
    (['--load', ''], "the checkpoint path must be a file name, got ''"),
    (['--learning-rate', '-1e-3'], '--learning-rate must be a finite number above 0, got -0.001'),
    (['--data', '{tmp}/utf16.txt'], 'looks like UTF-16 text; save it as UTF-8'),
    (['--data', '{tmp}/esc.txt'], "document 2 has the control character '\\x1b'"),
    (['--steps', 'x'], "argument --steps: invalid int value: 'x' (see python -m microgpt_lib --help)"),
    (['--colour'], 'unrecognized arguments: --colour (see'),
])
def test_refusals_are_one_line_exit_2_and_change_nothing_on_disk(place, args, message):
    before = snapshot(place)
    result = run(*[str(a).format(tmp=place) for a in args])
    assert (result.returncode, result.stdout) == (2, '')
    assert result.stderr.startswith('error: ') and result.stderr.count('\n') == 1
    assert message in result.stderr
    assert 'training step' not in result.stderr or '--load' not in args    # --load does not train
    assert snapshot(place) == before


@POSIX_ONLY
@pytest.mark.skipif(os.name == 'posix' and os.geteuid() == 0, reason='root writes into read-only folders')
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
    check_size(Config(27, block_size=100_000), 'numpy', positions=16)    # a mask for 16 positions, not 100,000
    with pytest.raises(ValueError, match='too large'):
        check_size(Config(27, block_size=100_000), 'numpy', positions=30_000)   # attention alone: 115 GB
    with pytest.raises(ValueError, match='too large'):
        check_size(Config(27, n_layer=1000))


def test_engines_check_the_size_before_allocating():
    with pytest.raises(ValueError, match='too large: 307,201,120 parameters'):
        GPT.initialise(Config(27, n_layer=100_000), random.Random(0))
    with pytest.raises(ValueError, match='too large: 307,201,120 parameters'):
        arrays.ArrayGPT.initialise(Config(27, n_layer=100_000), random.Random(0))
    with pytest.raises(ValueError, match='too large: 80,013 parameters, about 13 GB per training step'):
        arrays.ArrayGPT(Config(40_000, n_embd=1, n_head=1, block_size=1), [])    # a one-hot table of 40,000**2


@pytest.mark.parametrize('config, positions', [
    (Config(27, block_size=1000), 16),             # names in a long context: once a 2 x block_size**2 mask
    (Config(27, block_size=400), 400),             # attention's (n_head, T, T) arrays
    (Config(27, 2, 32, 4, 300), 300),
    (Config(1500), 16),                            # the one-hot table
])
def test_the_numpy_estimate_is_close_to_what_a_training_step_allocates(config, positions):
    doc = [config.vocab_size - 1] + [i % (config.vocab_size - 1) for i in range(positions - 1)] + [config.vocab_size - 1]
    tracemalloc.start()                            # NumPy reports its arrays to tracemalloc
    try:
        next(arrays.train(arrays.ArrayGPT.initialise(config, random.Random(0)), [doc], 1))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert 0.9 * peak < training_cost(config, 'numpy', positions)[2] < 1.6 * peak


def test_the_sampling_estimate_allows_the_course_models_and_bounds_the_rest():
    check_sampling_cost(Config(27), 'scalar', program.MAX_SAMPLES)      # the default model, 100,000 names
    check_sampling_cost(Config(27), 'numpy', program.MAX_SAMPLES)
    check_sampling_cost(Config(27, 4, 64, 4, 64), 'numpy', 1000)
    check_sampling_cost(Config(2, block_size=22_000), 'scalar', 0)     # nothing sampled costs nothing
    with pytest.raises(ValueError, match='sampling 1 documents could take some 57 minutes on the numpy engine'):
        check_sampling_cost(Config(2, block_size=5000), 'numpy', 1)
    with pytest.raises(ValueError, match='sampling needs about 9 GB on the numpy engine'):
        check_sampling_cost(Config(2, block_size=1000, n_embd=256, n_head=256), 'numpy', 1)


def test_documents_are_encoded_only_when_used():
    tok = Tokenizer('abc')
    documents = Documents(tok, ['ab', 'cz', 'c'])          # 'z' is not in the vocabulary...
    assert len(documents) == 3 and documents[0] == [3, 0, 1, 3] and documents[2] == [3, 2, 3]
    with pytest.raises(ValueError, match="never saw 'z'"):  # ...which shows only when its turn comes
        documents[1]


def test_a_long_line_is_cut_to_what_training_reads_before_it_is_encoded(tmp_path, monkeypatch, capsys):
    data = tmp_path / 'one_line.txt'
    data.write_text('abc' * 1_000_000 + '\nab\n')            # a 3 MB document, and a short one
    encoded = []

    def spy(self, text):
        encoded.append(len(text))
        return original(self, text)
    original = Tokenizer.encode
    monkeypatch.setattr(Tokenizer, 'encode', spy)
    for engine in ('scalar', 'numpy'):
        assert program.main(['--data', str(data), '--steps', '4', '--samples', '0', '--engine', engine]) == 0
    assert capsys.readouterr().err == ''
    assert sorted(encoded) == [2] * 4 + [16] * 4             # block_size characters, never the whole line
    tok = Tokenizer('abc')
    documents = Documents(tok, ['abcabc', 'ab'], block_size=4)
    assert documents[0] == tok.document('abcabc')[:5] and documents[1] == tok.document('ab')   # what training reads


def test_a_console_that_cannot_show_a_character_gets_its_escape(tmp_path):
    data = tmp_path / 'polish.txt'
    data.write_text('łucja\nłukasz\n', encoding='utf-8')      # ł is not in cp1252
    ckpt = tmp_path / 'm.json'
    result = run('--data', data, '--steps', 3, '--samples', 30, '--save', ckpt,
                 env={**os.environ, 'PYTHONIOENCODING': 'cp1252'})
    assert (result.returncode, result.stderr) == (0, '')
    assert '\\u0142' in result.stdout and 'sample 30: ' in result.stdout
    assert load_checkpoint(ckpt)[1].uchars[-1] == 'ł'


@pytest.mark.parametrize('args, code, printed', [(['--steps', 2, '--samples', 1], 0, 'sample  1: '),
                                                  (['--steps', 0], 2, ''), (['--colour'], 2, '')])
@POSIX_ONLY
def test_a_closed_stderr_keeps_the_exit_code(args, code, printed):
    result = subprocess.run(['sh', '-c', 'exec "$0" -m microgpt_lib "$@" 2>&-', sys.executable, *map(str, args)],
                            cwd=ROOT, timeout=120, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert result.returncode == code
    assert printed in result.stdout and (printed or result.stdout == '')


def all_negative_logits_model():
    """Logits -4, -8, -12, -16 at every position: the attention and the MLP add nothing, x is all ones."""
    tok = Tokenizer('abc')
    config = Config(tok.vocab_size, n_embd=4, n_head=2, block_size=5)
    weights = {name: [[0.0] * nin for _ in range(nout)] for name, nout, nin in weight_shapes(config)}
    weights['wte'] = [[1.0] * 4 for _ in range(4)]
    weights['lm_head'] = [[-float(i + 1)] * 4 for i in range(4)]
    return GPT(config, weights), tok


@pytest.mark.parametrize('engine', ['scalar', 'numpy'])
def test_all_negative_logits_at_a_tiny_temperature_give_the_most_likely_names(engine):
    model, tok = all_negative_logits_model()
    sample_on = sample_names
    if engine == 'numpy':
        model, sample_on = arrays.ArrayGPT.from_gpt(model), arrays.sample_names
    assert sample_on(model, tok, random.Random(0), 1e-308, 3) == ['aaaaa'] * 3     # -4e308 overflows to -inf
    assert sample_on(model, tok, random.Random(0), 1e-300, 3) == ['aaaaa'] * 3


def test_frozen_models_and_foreign_tokenizers_are_refused_up_front():
    model, tok = tiny_model()
    with pytest.raises(TypeError, match=r'not plain floats \(model.frozen\(\) cannot learn\)'):
        next(train(model.frozen(), [tok.document('ab')]))
    with pytest.raises(TypeError, match='arrays.train trains an ArrayGPT, got GPT'):
        next(arrays.train(model, [tok.document('ab')]))
    other = Tokenizer('abcd')
    for sample_on, m in [(sample_names, model), (arrays.sample_names, arrays.ArrayGPT.from_gpt(model))]:
        with pytest.raises(ValueError, match="the tokenizer has 5 tokens .* but the model's vocab_size is 4"):
            sample_on(m, other, random.Random(0))


def test_utf16_and_control_characters_in_data_are_named(tmp_path):
    for encoding in ('utf-16', 'utf-16-le', 'utf-16-be'):
        (tmp_path / encoding).write_text('anna\nbob\n', encoding=encoding)
        with pytest.raises(DataError, match='looks like UTF-16 text'):
            load_docs(tmp_path / encoding)
    (tmp_path / 'binary').write_bytes(b'ab\x00cd\n')
    with pytest.raises(DataError, match='is binary'):
        load_docs(tmp_path / 'binary')
    (tmp_path / 'tab').write_text('an\tna\n')                # a tab prints as a tab: allowed
    assert load_docs(tmp_path / 'tab') == ['an\tna']
