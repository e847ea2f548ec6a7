"""What every renderer shares: the RAG palette and names (Word and Excel alike)."""

from __future__ import annotations

from reportgen.model import Rag

# Fill and text colour of each rating (hex RGB, no '#'), for Word cells, Excel cells and
# charts alike.
RAG_COLOURS: dict[Rag, tuple[str, str]] = {
    Rag.RED: ("C00000", "FFFFFF"),
    Rag.AMBER: ("FFC000", "000000"),
    Rag.GREEN: ("00B050", "000000"),
    Rag.BLUE: ("0070C0", "FFFFFF"),
    Rag.GREY: ("BFBFBF", "000000"),
    Rag.CANCELLED: ("F2F2F2", "595959"),
}
RAG_ORDER = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE, Rag.GREY, Rag.CANCELLED)
