"""Each sample's story (samples.html): joined from every stage's files, searched and filtered
in a real browser (headless Chromium through its driver)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from synthrl.io import write_json, write_jsonl
from synthrl.story import stories, write_story_page

HOSTILE = 'What is 2 + 2? </script><script>document.title="owned"</script><b>bold</b>'


def sample(sid, question, label, **more):
    return {
        "id": sid,
        "task": "t",
        "input": question,
        "answer": label,
        "origin": "initial",
        "parent_id": None,
        "passage_id": "p1",
        "votes": {label: 3},
        "agreement": 1.0,
        "proposed_answer": label,
        **more,
    }


def make_run(run: Path) -> Path:
    run.mkdir(parents=True, exist_ok=True)
    write_jsonl(run / "retrieve.jsonl", [{"id": "p1", "title": "Sums", "text": "Adding."}])
    generated = [
        sample(f"s{i}", q, a)
        for i, (q, a) in enumerate(
            [
                ("What is 40 + 2?", "42"),
                ("What is 5 + 5?", "10"),
                ("What is 7 + 1?", "8"),
                (HOSTILE, "4"),
                ("What is 9 + 9?", "18"),
            ]
        )
    ]
    write_jsonl(run / "generate.jsonl", generated)
    write_jsonl(
        run / "generate.rejects.jsonl",
        [{"stage": "generate", "reason": "not_json", "raw": "Sure! Here you go."}],
    )
    write_jsonl(run / "verify.jsonl", generated[:4])
    write_jsonl(
        run / "verify.rejects.jsonl",
        [
            {
                "stage": "verify",
                "reason": "tie",
                "id": "s4",
                "votes": {"18": 1, "19": 1},
                "input": "What is 9 + 9?",
            }
        ],
    )
    write_jsonl(
        run / "solve.jsonl", [{**g, "greedy_solved": i == 0} for i, g in enumerate(generated[:4])]
    )
    easier = sample("r1", "What is 4 + 1?", "5", origin="easier", parent_id="s1")
    write_jsonl(run / "rewrite.jsonl", [easier])
    write_jsonl(
        run / "dedup.rejects.jsonl",
        [{"stage": "dedup", "reason": "contaminated", "id": "s2", "input": "x"}],
    )
    scored = [
        {**g, "pass_rate": p, "n_samples": 4, "extra": {"student_answers": a}}
        for g, p, a in (
            (generated[0], 0.5, {"42": 2, "41": 2}),
            (generated[1], 0.25, {"10": 1, "11": 3}),
            (generated[3], 0.0, {"5": 4}),
            (easier, 1.0, {"5": 4}),
        )
    ]
    write_jsonl(run / "score.jsonl", scored)
    write_jsonl(run / "selected.jsonl", scored[:2])
    write_jsonl(run / "validation.jsonl", scored[2:3])
    write_json(
        run / "audit.json",
        {
            "items": [{"id": "s0", "audit_answer": "42", "agrees": True}],
            "suspect_items": [{"id": "s1", "student_answer": "11"}],
        },
    )
    (run / "train").mkdir(exist_ok=True)
    write_jsonl(
        run / "train" / "rewards.jsonl",
        [
            {"step": 1, "id": "s0", "rewards": [1.0, 0.0]},
            {"step": 2, "id": "s0", "rewards": [1.0, 1.0]},
        ],
    )
    return run


def test_stories_join_every_stage_by_sample_id(tmp_path):
    found = {s["id"]: s for s in stories(make_run(tmp_path / "run"))}
    assert found["s0"]["outcome"] == "selected" and found["s0"]["greedy_solved"] is True
    assert found["s0"]["rewards"] == [
        {"step": 1, "mean": 0.5, "n": 2},
        {"step": 2, "mean": 1.0, "n": 2},
    ]
    assert found["s0"]["audit"] == {"answer": "42", "agrees": True}
    assert found["s0"]["passage"] == "Sums\nAdding."
    assert found["s1"]["suspect"] == "11" and found["s1"]["rewrites"] == ["r1"]
    assert found["r1"]["parent_id"] == "s1" and found["r1"]["origin"] == "easier"
    assert found["s2"]["outcome"] == "dropped at dedup" and found["s2"]["reason"] == "contaminated"
    assert found["s3"]["outcome"] == "validation"
    assert found["s4"]["outcome"] == "rejected at verify" and found["s4"]["reason"] == "tie"
    assert found["generate-0"]["outcome"] == "rejected at generate"
    assert [s["outcome"] for s in stories(tmp_path / "run")][:2] == ["selected", "selected"]


def _browser():
    """A headless Chromium driven through chromedriver, or None when neither is installed."""
    chrome = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chrome is None or driver is None:
        return None
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chrome
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(driver), options=options)


@pytest.fixture
def browser():
    driver = _browser()
    if driver is None:
        if os.environ.get("SYNTHRL_REQUIRE_BROWSER"):
            pytest.fail("SYNTHRL_REQUIRE_BROWSER is set but Chromium or chromedriver is missing")
        pytest.skip(
            "no browser: install Chromium and its driver (Debian: apt-get install "
            "chromium chromium-driver) to run the per-sample page's browser test"
        )
    yield driver
    driver.quit()


def test_the_page_searches_filters_and_shows_each_story(tmp_path, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    page = write_story_page(make_run(tmp_path / "run"), "samples of t")
    browser.get(page.as_uri())

    def shown():
        rows = browser.find_elements(By.CSS_SELECTOR, "details.sample")
        return [r for r in rows if r.is_displayed()]

    count = browser.find_element(By.ID, "count")
    assert count.text == "7 of 7 shown" and len(shown()) == 7
    # Teacher text is shown as text: nothing in it runs or becomes markup.
    assert browser.title == "samples of t"
    assert any("</script><script>" in row.text for row in shown())
    assert browser.find_elements(By.CSS_SELECTOR, "summary b") == []

    search = browser.find_element(By.ID, "search")
    search.send_keys("40 + 2")
    assert count.text == "1 of 7 shown" and "What is 40 + 2?" in shown()[0].text
    search.clear()
    search.send_keys(" ")  # an input event for the cleared box
    Select(browser.find_element(By.ID, "outcome")).select_by_visible_text("selected")
    rows = shown()
    assert count.text == "2 of 7 shown" and all(
        r.get_attribute("data-outcome") == "selected" for r in rows
    )
    first = rows[0]
    first.find_element(By.TAG_NAME, "summary").click()
    terms, values = first.find_elements(By.TAG_NAME, "dt"), first.find_elements(By.TAG_NAME, "dd")
    story = {dt.text: dd.text for dt, dd in zip(terms, values, strict=True)}
    assert story["label"] == "42" and story["pass rate"] == "0.5"
    assert story["rewards in training"] == "step 1: 0.5 (2)\nstep 2: 1 (2)"
    assert json.loads(story["votes"]) == {"42": 3}
    assert "outcome=selected" in browser.execute_script("return location.hash")

    # A shared link opens filtered.
    browser.get(page.as_uri() + "#outcome=rejected%20at%20generate")
    assert browser.find_element(By.ID, "count").text == "1 of 7 shown"
    assert "Sure! Here you go." in shown()[0].text
