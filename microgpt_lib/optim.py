"""Adam with bias correction, and the linear learning-rate decay microgpt uses."""


class Adam:
    def __init__(self, params, learning_rate=0.01, beta1=0.85, beta2=0.99, eps=1e-8):
        self.params = params
        self.learning_rate, self.beta1, self.beta2, self.eps = learning_rate, beta1, beta2, eps
        self.m = [0.0] * len(params)    # running mean of the gradients
        self.v = [0.0] * len(params)    # running mean of the squared gradients
        self.t = 0                      # steps taken, for the bias correction

    def step(self, lr):
        """Move every parameter against its gradient, then zero the gradient."""
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        for i, p in enumerate(self.params):
            self.m[i] = b1 * self.m[i] + (1 - b1) * p.grad
            self.v[i] = b2 * self.v[i] + (1 - b2) * p.grad ** 2
            m_hat = self.m[i] / (1 - b1 ** self.t)   # early on m and v are biased
            v_hat = self.v[i] / (1 - b2 ** self.t)   # towards their zero start
            p.data -= lr * m_hat / (v_hat ** 0.5 + self.eps)
            p.grad = 0


def linear_decay(learning_rate, step, num_steps):
    """The learning rate at step (0-based): from learning_rate down to 0."""
    return learning_rate * (1 - step / num_steps)
