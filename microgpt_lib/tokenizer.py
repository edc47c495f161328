"""Characters become integers; one extra token, BOS, marks both ends of a document."""
import re

# What a UTF-8 text file of one document per line cannot hold, or a terminal would obey instead of
# print: control characters other than tab (newline, ESC, NUL...) and lone surrogates
UNPRINTABLE = re.compile('[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]')


def first_unprintable(text):
    """The first character of text that cannot be in a vocabulary, or None."""
    found = UNPRINTABLE.search(text)
    return found and found.group()


class Tokenizer:
    def __init__(self, uchars):
        self.uchars = list(uchars)      # token id i is the character uchars[i]
        if len(set(self.uchars)) != len(self.uchars) or any(len(c) != 1 for c in self.uchars):
            raise ValueError("a tokenizer needs distinct single characters")
        self.BOS = len(self.uchars)
        self.vocab_size = len(self.uchars) + 1
        self._ids = {ch: i for i, ch in enumerate(self.uchars)}

    @classmethod
    def from_docs(cls, docs):
        return cls(sorted(set(''.join(docs))))

    def encode(self, text):
        """Token ids of the characters of text (no BOS)."""
        unknown = sorted(set(text) - self._ids.keys())
        if unknown:
            raise ValueError(f"the tokenizer never saw {', '.join(map(repr, unknown))} "
                             f"(it knows {''.join(self.uchars)!r})")
        return [self._ids[ch] for ch in text]

    def decode(self, ids):
        """The text of token ids; BOS has no character."""
        bad = [i for i in ids if not 0 <= i < self.BOS]
        if bad:
            raise ValueError(f"token ids {bad} have no character (BOS is {self.BOS})")
        return ''.join(self.uchars[i] for i in ids)

    def document(self, doc):
        """A document as the model sees it: BOS, its characters, BOS."""
        return [self.BOS] + self.encode(doc) + [self.BOS]

    def __repr__(self):
        return f"Tokenizer({''.join(self.uchars)!r}, BOS={self.BOS})"


class Documents:
    """Documents seen as token lists, each encoded only when it is used.

    Training visits one document per step: encoding them all first would hold
    every token list at once, for names some 16 bytes per byte of the text.
    Given block_size, a longer document becomes only what training reads of
    it, BOS and its first block_size characters: a line of 100 MB is not
    encoded whole at every step to use 17 tokens.
    """

    def __init__(self, tokenizer, docs, block_size=None):
        self.tokenizer, self.docs, self.block_size = tokenizer, docs, block_size

    def __len__(self):
        return len(self.docs)

    def __getitem__(self, i):
        doc, B = self.docs[i], self.block_size
        if B is not None and len(doc) > B:
            return [self.tokenizer.BOS] + self.tokenizer.encode(doc[:B])
        return self.tokenizer.document(doc)
