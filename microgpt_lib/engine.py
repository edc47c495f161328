"""A scalar that remembers how it was made, and the chain rule run backwards.

The arithmetic follows microgpt exactly (see ALGORITHM.md, section 5): derived
operations go *through* the primitives, so `a / b` is `a * b**-1`, not a true
division, and every printed digit of the original is reproduced.
"""
import gc
import math
import numbers
from contextlib import contextmanager


class Value:
    __slots__ = ('data', 'grad', '_children', '_local_grads', '_op')

    def __init__(self, data, children=(), local_grads=(), op=''):
        self.data = data                  # the number itself
        self.grad = 0                     # d(output)/d(self), filled in by backward()
        self._children = children         # the Values this one was computed from
        self._local_grads = local_grads   # d(self)/d(child), one per child
        self._op = op                     # how it was made, for drawing the graph

    # A plain number operand is used directly rather than wrapped in a Value:
    # the arithmetic is identical, and a constant needs no node and no gradient.
    def __add__(self, other):
        if isinstance(other, Value):
            return Value(self.data + other.data, (self, other), (1, 1), '+')
        return Value(self.data + other, (self,), (1,), constant_label('+', other))

    def __mul__(self, other):
        if isinstance(other, Value):
            return Value(self.data * other.data, (self, other), (other.data, self.data), '*')
        return Value(self.data * other, (self,), (other,), constant_label('*', other))

    def __pow__(self, k):
        return Value(self.data ** k, (self,), (k * self.data ** (k - 1),), constant_label('**', k))

    def log(self):
        return Value(math.log(self.data), (self,), (1 / self.data,), 'log')

    def exp(self):
        return Value(math.exp(self.data), (self,), (math.exp(self.data),), 'exp')

    def relu(self):
        return Value(max(0, self.data), (self,), (float(self.data > 0),), 'relu')

    def __neg__(self): return self * -1
    def __radd__(self, other): return self + other
    def __sub__(self, other): return self + (-other)
    def __rsub__(self, other): return other + (-self)
    def __rmul__(self, other): return self * other
    def __truediv__(self, other): return self * other ** -1
    def __rtruediv__(self, other): return other * self ** -1

    def __repr__(self):
        return f"Value(data={self.data!r}, grad={self.grad!r})"

    def backward(self):
        """Fill in .grad of every Value this one depends on."""
        topo = topological_order(self)
        self.grad = 1
        for v in reversed(topo):
            for child, local_grad in zip(v._children, v._local_grads):
                child.grad += local_grad * v.grad


def constant_label(op, number):
    """The label of an operation with a plain number, e.g. '* -1' or '** -0.5', for any kind of number.

    A Value holds one number, so an array, a list or a string as the other operand is refused.
    """
    try:
        return f'{op} {number:g}'
    except (TypeError, ValueError, OverflowError):   # a Fraction, an int beyond every float, or not a number
        return f'{op} {unusual_number(number)}'


def unusual_number(number):
    """A number that :g cannot write (a Fraction before Python 3.12, an int beyond every float), in a few characters."""
    if isinstance(number, numbers.Rational):
        try:
            return f'{float(number):g}'
        except OverflowError:           # beyond every float: its first digits and its power of ten
            power = math.log10(abs(number.numerator)) - math.log10(number.denominator)
            return f"{'-' if number < 0 else ''}{10 ** (power % 1):.6g}e+{math.floor(power)}"
    if isinstance(number, numbers.Number):
        text = str(number)
        return text if len(text) <= 12 else text[:11] + '…'
    shape = getattr(number, 'shape', None)
    what = f"a {type(number).__name__}" if shape is None else f"an array of shape {shape}: use one Value per element"
    raise TypeError(f"a Value holds one number, so it combines only with a number or a Value, not {what}")


def topological_order(root):
    """Every node below root, children before parents.

    The same post-order as a recursive depth-first search that visits
    children in order, so gradients add up in the original's order, but with
    an explicit stack, so deep graphs never hit Python's recursion limit.
    """
    topo, visited = [], {root}
    stack = [(root, iter(root._children))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if child not in visited:
                visited.add(child)
                stack.append((child, iter(child._children)))
                break
        else:
            stack.pop()
            topo.append(node)
    return topo


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector for a burst of node building.

    A training step allocates hundreds of thousands of small objects, and the
    collector would keep re-scanning the growing graph. The graph has no
    cycles, so reference counting frees it anyway once it is dropped.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def nodes_in_original(nodes):
    """How many Values the original microgpt.py makes where this engine makes `nodes`.

    The original wraps every plain number that meets a Value in `+` or `*` (the 0 that sum()
    starts from, the -1 of a negation, rmsnorm's 1e-5) in a Value of its own, a leaf: one node
    more for each node here that took a plain number. Every number computed is the same.
    """
    nodes = list(nodes)
    return len(nodes) + sum(v._op.startswith(('+ ', '* ')) for v in nodes)
