"""planner.fonts: the CJK font, whole or cut down to a document's characters."""

from __future__ import annotations

from pathlib import Path

from fontTools.ttLib import TTFont

from planner.fonts import cjk_font_path, cjk_subset


def test_the_cut_down_font_keeps_the_glyphs_and_metrics_of_its_characters(
    tmp_path: Path,
) -> None:
    text = "电动汽车自用桩安装告知书（附件1）：B1-FQ01，7 kW"
    cut = cjk_subset([text, "承诺书"], tmp_path / "cut.otf")
    whole, part = TTFont(str(cjk_font_path()), lazy=True), TTFont(str(cut))
    try:
        wmap, pmap = whole.getBestCmap(), part.getBestCmap()
        for ch in set(text + "承诺书" + "AZaz09~"):  # its characters and printable ASCII
            assert ord(ch) in pmap, ch
            assert part["hmtx"][pmap[ord(ch)]] == whole["hmtx"][wmap[ord(ch)]], ch
        assert ord("龍") in wmap
        assert ord("龍") not in pmap  # nothing else
        assert part["hhea"].ascent == whole["hhea"].ascent
        assert part["OS/2"].sTypoAscender == whole["OS/2"].sTypoAscender
        assert cut.stat().st_size < cjk_font_path().stat().st_size / 20
    finally:
        whole.close()
        part.close()
