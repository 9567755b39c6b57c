"""Built-in evaluation sets held in code or data packages, by name: each is a function that
returns its rows as {id, input, answer}.

- `wiki-topics`, `wiki-people`: held-out Wikipedia summaries (real text; `wiki_topics`);
- `arithmetic`: sums and differences made by a seeded generator (`generated`).

Evaluation, decontamination and the report find built-in sets here (files and the sets read
from benchmark packages go through `sets` and `benchmarks`).
"""

from __future__ import annotations

from collections.abc import Callable

from synthrl.evaluate.generated import arithmetic_rows
from synthrl.evaluate.wiki_topics import wiki_people_rows, wiki_topic_rows

ROW_SETS: dict[str, Callable[[], list[dict[str, str]]]] = {
    "wiki-topics": wiki_topic_rows,
    "wiki-people": wiki_people_rows,
    "arithmetic": arithmetic_rows,
}
