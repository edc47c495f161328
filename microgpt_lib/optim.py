"""Adam with bias correction, and the linear learning-rate decay microgpt uses."""


def adam_update(p, m, v, step, lr, beta1=0.85, beta2=0.99, eps=1e-8):
    """Adam's update of one parameter p at step (0-based): move p against its gradient, zero the
    gradient, and return the parameter's new running means (m, v)."""
    m = beta1 * m + (1 - beta1) * p.grad
    v = beta2 * v + (1 - beta2) * p.grad ** 2
    m_hat = m / (1 - beta1 ** (step + 1))   # early on m and v are biased
    v_hat = v / (1 - beta2 ** (step + 1))   # towards their zero start
    p.data -= lr * m_hat / (v_hat ** 0.5 + eps)
    p.grad = 0
    return m, v


class Adam:
    def __init__(self, params, learning_rate=0.01, beta1=0.85, beta2=0.99, eps=1e-8):
        self.params = params
        self.learning_rate, self.beta1, self.beta2, self.eps = learning_rate, beta1, beta2, eps
        self.m = [0.0] * len(params)    # running mean of the gradients
        self.v = [0.0] * len(params)    # running mean of the squared gradients
        self.t = 0                      # steps taken, for the bias correction

    def step(self, lr):
        """Move every parameter against its gradient, then zero the gradient."""
        for i, p in enumerate(self.params):
            self.m[i], self.v[i] = adam_update(p, self.m[i], self.v[i], self.t, lr,
                                               self.beta1, self.beta2, self.eps)
        self.t += 1


def linear_decay(learning_rate, step, num_steps):
    """The rate at step (0-based): from learning_rate down to 0."""
    return learning_rate * (1 - step / num_steps)
