"""microgpt_lib: the finished pieces of the microgpt course, in chapter order."""
from .data import DataError, load_docs, parse_docs
from .tokenizer import Tokenizer
from .baseline import Bigram, mean_loss, split_docs
from .engine import Value, gc_paused, topological_order
from .nn import linear, rmsnorm, softmax
from .model import GPT, Config
from .optim import Adam, linear_decay
from .train import TrainingDiverged, document_loss, train, train_step
from .sample import prefix_probs, sample, sample_names
from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint

__all__ = ['DataError', 'load_docs', 'parse_docs', 'Tokenizer', 'Bigram', 'mean_loss',
           'split_docs', 'Value', 'gc_paused', 'topological_order', 'linear', 'rmsnorm',
           'softmax', 'GPT', 'Config', 'Adam', 'linear_decay', 'TrainingDiverged', 'document_loss',
           'train', 'train_step', 'prefix_probs', 'sample', 'sample_names', 'CheckpointError',
           'load_checkpoint', 'save_checkpoint']
