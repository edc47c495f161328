"""The dataset: one document per line of a UTF-8 text file (32,033 names by default)."""
import codecs
import hashlib
import os
import stat
import sys
import tempfile
from importlib.resources import files
from pathlib import Path

from .tokenizer import first_unprintable

DATA_DIR = files('microgpt_lib.shipped')   # the repository's data/: read only, never written to
NAMES_PATH = DATA_DIR / 'names.txt'
DOWNLOADED_NAMES = 'names.txt'              # where a download goes, in the working directory
NAMES_URL = 'https://raw.githubusercontent.com/karpathy/makemore/988aa59/names.txt'
NAMES_SHA256 = '0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d'
MAX_DATA_BYTES = 100 * 10**6    # 440 times the names; one step trains on one line, so more is rarely useful
BOM = '\ufeff'                  # what Windows Notepad puts at the start of a UTF-8 file


class DataError(ValueError):
    """A data file that is missing, unreadable or not one document per line."""


def parse_docs(text):
    """Strip the text, split it into lines, strip each line, drop the empty ones."""
    return [line.strip() for line in text.strip().split('\n') if line.strip()]


def as_path(path, what):
    """path as a Path, or a ValueError if it is not a file name (an int would be read as a file descriptor)."""
    if not isinstance(path, (str, os.PathLike)) or not isinstance(os.fspath(path), str) or not os.fspath(path):
        raise ValueError(f"{what} must be a file name, got {path!r}")
    return Path(path)


def read_file(path, what, limit, error=DataError):
    """The bytes of a regular file of at most limit bytes.

    A FIFO, a device (/dev/zero) or a socket is refused without being opened:
    reading one could block or never end.
    """
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise error(f"{what} {path} is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise error(f"{what} {path} is not a regular file (a device, FIFO or socket?)")
        too_large = error(f"{what} {path} is larger than {limit / 10**6:g} MB, the most this program reads")
        if info.st_size > limit:
            raise too_large
        with open(path, 'rb') as f:
            raw = f.read(limit + 1)         # at most one byte more than allowed, whatever stat said
    except FileNotFoundError:
        raise error(f"{what} {path} does not exist") from None
    except OSError as e:
        raise error(f"cannot read {what} {path}: {e.strerror or e}") from None
    if len(raw) > limit:
        raise too_large
    return raw


def load_docs(path=None):
    """The documents of a data file; the shipped names (downloaded if missing) by default.

    A leading byte-order mark is dropped: it marks the encoding, it is not text.
    """
    path = ensure_names() if path is None else as_path(path, 'the data file')
    raw = read_file(path, 'data file', MAX_DATA_BYTES)
    if looks_like_utf16(raw):
        raise DataError(f"data file {path} looks like UTF-16 text; save it as UTF-8 (in Notepad: "
                        f"Save As, Encoding UTF-8)")
    if b'\0' in raw:
        raise DataError(f"data file {path} is binary, not text (it contains NUL bytes)")
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError as e:
        raise DataError(f"data file {path} is not UTF-8 text (byte {e.start} is {raw[e.start]:#04x})") from None
    docs = parse_docs(text.removeprefix(BOM).replace('\r\n', '\n').replace('\r', '\n'))   # universal newlines
    if not docs:
        raise DataError(f"data file {path} has no documents: it is empty or blank")
    for number, doc in enumerate(docs, 1):
        if bad := first_unprintable(doc):
            raise DataError(f"data file {path}: document {number} has the control character {bad!r}, "
                            f"which a terminal would obey instead of printing")
    return docs


def looks_like_utf16(raw):
    """A UTF-16 byte-order mark, or NUL as every other byte (ASCII text in UTF-16 without a mark)."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    even, odd = raw[0::2], raw[1::2]

    def mostly_nul(half):
        return len(half) > 0 and half.count(0) * 2 >= len(half)
    return (mostly_nul(odd) and 0 not in even) or (mostly_nul(even) and 0 not in odd)


def output_target(path, verb='write to', error=ValueError, inputs=(), inputs_are='one of the inputs'):
    """The file that writing to path will replace, checked before any work is done.

    A symlink is followed, so the file it points to is replaced and the link stays. Refused:
    a name that is no file name or names a folder (a final / or .), a missing or read-only
    folder, a name too long for the file system, a directory, a FIFO, device or socket (which
    the rename would replace by a regular file), a read-only file (by its mode bits too, since
    root may write anyway), and any of inputs, which the output would overwrite.
    """
    as_path(path, 'the output path')               # refuses what is no file name, and ''
    name = os.fspath(path)                          # as typed: a Path would drop a final / or /.
    target = Path(os.path.realpath(name))

    def refuse(problem):
        raise error(f"cannot {verb} {name}: {problem}")
    if name.endswith(os.sep) or os.path.basename(name) in ('.', '..'):
        refuse("it names a folder, not a file")
    folder = target.parent
    if not folder.is_dir():
        refuse(f"folder {folder} does not exist")
    if len(os.fsencode(target.name)) > name_max(folder):
        refuse("the file name is too long")
    if target.is_symlink():                         # realpath stops inside a symlink loop
        refuse("it is a symlink loop")
    if not os.access(folder, os.W_OK | os.X_OK):
        refuse(f"folder {folder} is not writable")
    if target.exists():
        mode = target.stat().st_mode
        if stat.S_ISDIR(mode):
            refuse("it is a directory")
        if not stat.S_ISREG(mode):
            refuse("it is not a regular file (a device, FIFO or socket?)")
        if not mode & 0o222 or not os.access(target, os.W_OK):
            refuse("it is read-only")
        if any(os.path.exists(p) and os.path.samefile(target, p) for p in inputs):
            refuse(f"it is {inputs_are}, which would be overwritten")
    return target


def name_max(folder):
    """The longest file name, in bytes, that folder's file system takes (Windows has no pathconf)."""
    return os.pathconf(folder, 'PC_NAME_MAX') if hasattr(os, 'pathconf') else 255


def keep_stderr():
    """When stderr was closed (2>&-), errors go nowhere rather than to stdout (print's fallback)
    or a traceback; and fd 2 stays taken, so that no file the program opens lands on it."""
    if sys.stderr is None:
        sys.stderr = open(os.devnull, 'w')


def write_atomically(path, content):
    """Write bytes to path through a temporary file and a rename: never half a file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f'.{path.name[:64]}.', suffix='.tmp')   # never too long
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)      # mkstemp makes it private; give it the usual mode
        with os.fdopen(fd, 'wb') as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def ensure_names(path=None, url=NAMES_URL, timeout=30):
    """The path of the names file, verified, and downloaded first if it is missing.

    By default the shipped names, or if they are missing, names.txt in the working
    directory: a download never goes into the installed package.
    """
    if path is None:
        path = NAMES_PATH if NAMES_PATH.is_file() else Path.cwd() / DOWNLOADED_NAMES
    path = Path(path)
    how = f"download {url} by hand and save it as {path}"
    if path.exists():
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != NAMES_SHA256:
            raise DataError(f"{path} is not the names file (SHA-256 {digest}): a partial download or an edit? "
                            f"Delete it to download it again, or {how}; for other data pass its path")
        return path
    import requests
    try:
        response = requests.get(url, timeout=timeout)
        response.raise_for_status()
    except requests.RequestException as e:
        raise DataError(f"{path} is missing and the download failed ({e}); {how}") from None
    digest = hashlib.sha256(response.content).hexdigest()
    if digest != NAMES_SHA256:
        raise DataError(f"{path} is missing and the downloaded file is not the expected one "
                        f"(SHA-256 {digest}, expected {NAMES_SHA256}); {how}")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, response.content)
    return path
