"""The attention heatmaps: the future is blank in every chapter, whatever the grids hold there."""
import math

import numpy as np
import pytest

from microgpt_lib import pictures


@pytest.mark.parametrize('future', [math.nan, 0.0], ids=['not cached yet (04, 09)', 'masked (10)'])
def test_the_squares_above_the_diagonal_are_blank(future, monkeypatch):
    shown = []
    monkeypatch.setattr(pictures, 'show_figure', lambda fig, alt: shown.append(fig))
    grid = [[1.0, future, future], [0.5, 0.5, future], [0.2, 0.3, 0.5]]
    pictures.plot_attention([grid, grid], ['BOS', 'a', 'b'], "two heads", alt="two heatmaps")
    images = [ax.images[0] for ax in shown[0].axes if ax.images]
    assert len(images) == 2
    for image in images:
        drawn = np.ma.filled(image.get_array(), np.nan)
        assert np.isnan(drawn[np.triu_indices(3, 1)]).all() and not np.isnan(drawn[np.tril_indices(3)]).any()
