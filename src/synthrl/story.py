"""Each sample's story: one static page (samples.html) that follows every sample of a run.

    from synthrl.story import stories, write_story_page
    write_story_page(Path("runs/gsm8k"))   # runs/gsm8k/samples.html, no server needed

A story joins, by sample id, what every stage wrote: the passage it came from, the input the
teacher wrote and the answer it proposed, the teacher's votes and the label, the student's
greedy solve, the rewrites made from it (or the sample it was rewritten from), dedup's
verdict, the pass rate and the student's answers, the audit's re-answer, whether it was
selected (train or validation), and its rewards during training (from train/rewards.jsonl).
Outputs that never became samples (generation outputs rejected with a reason, candidates
whose votes settled nothing) are in the page too, with the reason.

The page searches (any text of a story) and filters (by outcome; by origin); the URL's hash
keeps both (`samples.html#outcome=selected&q=42`), so a filtered view can be shared. Teacher
and student text is data: the page puts it into the document as text, never as markup, and
the embedded JSON cannot end its script element.
"""

from __future__ import annotations

import html
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from synthrl.io import read_json, read_jsonl, write_atomic

Record = dict[str, Any]
OUTCOMES = (
    "selected", "validation", "scored", "labelled", "dropped at dedup", "rejected at verify",
    "rejected at rewrite", "rejected at generate", "generated",
)  # fmt: skip


def _rows(path: Path) -> list[Record]:
    return read_jsonl(path) if path.is_file() else []


def _rewards(run: Path) -> dict[str, list[Record]]:
    """Per sample id: its training rewards by step (mean over the group, how many)."""
    by_id: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted((run / "train").glob("rewards*.jsonl")) if (run / "train").is_dir() else []:
        for row in _rows(path):
            values = [r for r in row["rewards"] if r is not None]
            by_id[row["id"]][row["step"]].extend(values)
    return {
        sample: [
            {"step": step, "mean": round(sum(v) / len(v), 3) if v else None, "n": len(v)}
            for step, v in sorted(steps.items())
        ]
        for sample, steps in by_id.items()
    }


def stories(run: Path) -> list[Record]:
    """Every sample of the run with what each stage did to it, first the ones that trained."""
    passages = {p["id"]: p for p in _rows(run / "retrieve.jsonl")}
    found: dict[str, Record] = {}

    def story(record: Record, outcome: str) -> Record:
        entry = found.setdefault(record["id"], {"id": record["id"], "outcome": outcome})
        for key in ("input", "origin", "parent_id", "passage_id", "proposed_answer"):
            if record.get(key) is not None:
                entry[key] = record[key]
        return entry

    for record in _rows(run / "generate.jsonl"):
        story(record, "generated")
    for stage in ("verify", "rewrite"):
        for reject in _rows(run / f"{stage}.rejects.jsonl"):
            if reject.get("id"):
                entry = story(reject, f"rejected at {stage}")
                entry.update(outcome=f"rejected at {stage}", votes=reject.get("votes"),
                             reason=reject["reason"])  # fmt: skip
    for stage in ("verify", "rewrite"):
        for record in _rows(run / f"{stage}.jsonl"):
            entry = story(record, "labelled")
            entry.update(outcome="labelled", label=record["answer"], votes=record.get("votes"),
                         agreement=record.get("agreement"), reason=None)  # fmt: skip
    for record in _rows(run / "solve.jsonl"):
        if record["id"] in found:
            found[record["id"]]["greedy_solved"] = record.get("greedy_solved")
    for reject in _rows(run / "dedup.rejects.jsonl"):
        if reject.get("id") in found:
            found[reject["id"]].update(outcome="dropped at dedup", reason=reject["reason"])
    for record in _rows(run / "score.jsonl"):
        entry = story(record, "scored")
        answers = (record.get("extra") or {}).get("student_answers")
        entry.update(outcome="scored", pass_rate=record.get("pass_rate"), student_answers=answers)
    for split, outcome in (("selected", "selected"), ("validation", "validation")):
        for record in _rows(run / f"{split}.jsonl"):
            if record["id"] in found:
                found[record["id"]]["outcome"] = outcome
    if (run / "audit.json").is_file():
        audit = read_json(run / "audit.json")
        for item in audit.get("items", []):
            if item["id"] in found:
                found[item["id"]]["audit"] = {"answer": item["audit_answer"],
                                              "agrees": item["agrees"]}  # fmt: skip
        for item in audit.get("suspect_items", []):
            if item["id"] in found:
                found[item["id"]]["suspect"] = item["student_answer"]
    for sample, rewards in _rewards(run).items():
        if sample in found:
            found[sample]["rewards"] = rewards
    children: dict[str, list[str]] = defaultdict(list)
    for entry in found.values():
        if entry.get("parent_id"):
            children[entry["parent_id"]].append(entry["id"])
    for entry in found.values():
        entry["rewrites"] = children.get(entry["id"], [])
        passage = passages.get(entry.get("passage_id") or "")
        if passage:
            entry["passage"] = f"{passage.get('title', '')}\n{passage.get('text', '')}".strip()
    for n, reject in enumerate(_rows(run / "generate.rejects.jsonl")):
        found[f"generate-{n}"] = {
            "id": f"generate-{n}", "outcome": "rejected at generate", "reason": reject["reason"],
            "input": str(reject.get("raw", ""))[:2000], "origin": "initial", "rewrites": [],
        }  # fmt: skip
    rank = {outcome: i for i, outcome in enumerate(OUTCOMES)}
    return sorted(found.values(), key=lambda s: (rank.get(s["outcome"], 99), s["id"]))


def write_story_page(run: Path, title: str | None = None) -> Path:
    """Write RUN/samples.html; returns its path."""
    data = json.dumps(stories(run), ensure_ascii=False).replace("</", "<\\/")
    heading = html.escape(title or f"samples of {run.name}")
    page = (
        _PAGE.replace("@TITLE@", heading)
        .replace("@OUTCOMES@", "".join(f"<option>{html.escape(o)}</option>" for o in OUTCOMES))
        .replace("@DATA@", data)
    )
    path = run / "samples.html"
    write_atomic(path, page)
    return path


_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>@TITLE@</title>
<style>
body{font-family:system-ui,sans-serif;max-width:70em;margin:1.5em auto;padding:0 1em}
#bar{position:sticky;top:0;background:#fff;padding:.5em 0;border-bottom:1px solid #ddd}
#bar input{width:24em}details{border-bottom:1px solid #eee;padding:.3em 0}
summary{cursor:pointer}.tag{display:inline-block;min-width:10em;font-size:.85em;color:#555}
dl{display:grid;grid-template-columns:11em 1fr;gap:.2em .8em;margin:.5em 0 .5em 1em}
dt{color:#555}dd{margin:0;white-space:pre-wrap}
</style></head><body>
<h1>@TITLE@</h1>
<div id="bar">
<input id="search" type="search" placeholder="search inputs, labels, answers, reasons">
<select id="outcome"><option value="">every outcome</option>@OUTCOMES@</select>
<select id="origin"><option value="">every origin</option>
<option>initial</option><option>harder</option><option>easier</option><option>like</option>
</select>
<span id="count"></span>
</div>
<div id="samples"></div>
<script id="data" type="application/json">@DATA@</script>
<script>
"use strict";
const samples = JSON.parse(document.getElementById("data").textContent);
const list = document.getElementById("samples");
const fields = [
  ["passage", "passage"], ["input", "input"], ["proposed_answer", "teacher's own answer"],
  ["votes", "votes"], ["label", "label"], ["agreement", "agreement"],
  ["greedy_solved", "greedy solve"], ["parent_id", "rewritten from"],
  ["rewrites", "rewrites"], ["reason", "reason"], ["pass_rate", "pass rate"],
  ["student_answers", "student's answers"], ["audit", "audit"],
  ["suspect", "suspect: the student says"], ["outcome", "outcome"],
  ["rewards", "rewards in training"],
];
function show(value) {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value) && value.length && value[0] && value[0].step !== undefined)
    return value.map(r => "step " + r.step + ": " + r.mean + " (" + r.n + ")").join("\\n");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
const rows = samples.map(s => {
  const item = document.createElement("details");
  item.className = "sample";
  item.dataset.outcome = s.outcome;
  item.dataset.origin = s.origin || "";
  const summary = document.createElement("summary");
  const tag = document.createElement("span");
  tag.className = "tag";
  tag.textContent = s.outcome;
  summary.append(tag, " " + (s.input || "").slice(0, 120));
  if (s.label !== undefined) summary.append(" \\u2192 " + s.label);
  if (s.pass_rate != null) summary.append(" \\u00b7 pass " + s.pass_rate);
  const story = document.createElement("dl");
  for (const [key, name] of fields) {
    const text = show(s[key]);
    if (!text || text === "[]") continue;
    const term = document.createElement("dt");
    term.textContent = name;
    const value = document.createElement("dd");
    value.className = "f-" + key;
    value.textContent = text;
    story.append(term, value);
  }
  item.append(summary, story);
  item.dataset.text = Object.values(s).map(show).join(" ").toLowerCase();
  list.append(item);
  return item;
});
const search = document.getElementById("search");
const outcome = document.getElementById("outcome");
const origin = document.getElementById("origin");
function apply() {
  const query = search.value.trim().toLowerCase();
  let shown = 0;
  for (const row of rows) {
    const keep = (!query || row.dataset.text.includes(query))
      && (!outcome.value || row.dataset.outcome === outcome.value)
      && (!origin.value || row.dataset.origin === origin.value);
    row.hidden = !keep;
    shown += keep;
  }
  document.getElementById("count").textContent = shown + " of " + rows.length + " shown";
  const hash = new URLSearchParams();
  if (query) hash.set("q", search.value.trim());
  if (outcome.value) hash.set("outcome", outcome.value);
  if (origin.value) hash.set("origin", origin.value);
  history.replaceState(null, "", hash.toString() ? "#" + hash : location.pathname);
}
function fromHash() {
  const wanted = new URLSearchParams(location.hash.slice(1));
  search.value = wanted.get("q") || "";
  outcome.value = wanted.get("outcome") || "";
  origin.value = wanted.get("origin") || "";
  apply();
}
for (const control of [search, outcome, origin]) {
  control.addEventListener("input", apply);
  control.addEventListener("change", apply);
}
window.addEventListener("hashchange", fromHash);
fromHash();
</script>
</body></html>
"""
