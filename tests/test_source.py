import pytest

import gdlib as gd


def test_show_source_gives_highlighted_html_and_plain_text():
    s = gd.show_source(gd.GradientDescent)
    assert repr(s).startswith("@dataclass(frozen=True, repr=False)\nclass GradientDescent(Optimizer):")
    assert "<span" in s._repr_html_() and "GradientDescent" in s._repr_html_()


def test_show_source_rejects_what_has_no_source():
    with pytest.raises(TypeError, match="show_source needs a function, class or method"):
        gd.show_source(3)
