"""The README and docs/ explain the product from a clone of the repository alone: nothing in them
leaves the repository (``../``), every relative link points at a file that exists, every Markdown
file they name exists, and every ``#anchor`` names a heading of its page."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.M | re.S)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]\n]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
MARKDOWN_NAME = re.compile(r"(?<![\w/.:-])([\w.-][\w./-]*\.md)\b")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
EXTERNAL = ("http://", "https://", "mailto:")


def documents(root: Path) -> list[Path]:
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: markup and punctuation dropped, lower case, spaces to hyphens."""
    text = re.sub(r"<[^>]+>", "", heading).replace("`", "")
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    for heading in HEADING.findall(FENCE.sub("", path.read_text(encoding="utf-8"))):
        base = slug(heading)
        name, n = base, 0
        while name in found:
            n += 1
            name = f"{base}-{n}"
        found.add(name)
    return found


def _line(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


def problems(root: Path) -> list[str]:
    """Every broken or outward link and path in the README and docs/, as ``file:line: what``."""
    found: list[str] = []
    for doc in documents(root):
        if not doc.exists():
            found.append(f"{doc.relative_to(root)}: missing")
            continue
        name = doc.relative_to(root).as_posix()
        text = doc.read_text(encoding="utf-8")
        for match in re.finditer(r"\.\.[/\\]", text):
            found.append(f"{name}:{_line(text, match.start())}: a path leaving the repository (../)")
        prose = INLINE_CODE.sub(lambda m: " " * len(m.group()), FENCE.sub(lambda m: " " * len(m.group()), text))
        targets = [(m.start(), m.group(1)) for m in LINK.finditer(prose)]
        targets += [(m.start(), m.group(1)) for m in REFERENCE.finditer(prose)]
        for at, target in targets:
            where = f"{name}:{_line(text, at)}"
            if target.startswith(EXTERNAL):
                continue
            if ":" in target.split("#", 1)[0]:
                found.append(f"{where}: {target!r} is not a link inside the repository")
                continue
            file_part, _, anchor = target.partition("#")
            linked = (doc.parent / file_part) if file_part else doc
            if file_part.startswith("/") or not _inside(linked, root):
                found.append(f"{where}: {target!r} leaves the repository")
            elif not linked.exists():
                found.append(f"{where}: {target!r} links to a file that does not exist")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                found.append(f"{where}: {target!r} names no heading of {linked.relative_to(root).as_posix()}")
        for match in MARKDOWN_NAME.finditer(text):
            mentioned = match.group(1)
            if mentioned.startswith("http") or any(
                _inside(base / mentioned, root) and (base / mentioned).exists() for base in (doc.parent, root)
            ):
                continue
            found.append(f"{name}:{_line(text, match.start())}: names {mentioned}, which is not in the repository")
    return found


def test_readme_and_docs_stay_inside_the_repository_and_link_to_what_exists() -> None:
    assert problems(ROOT) == []
    assert len(documents(ROOT)) >= 7  # README plus the docs pages


def test_the_readme_links_every_docs_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    index = (ROOT / "docs" / "README.md").read_text(encoding="utf-8")
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert f"(docs/{page.name}" in readme, page.name
        if page.name != "README.md":
            assert f"({page.name})" in index, page.name


def test_the_check_finds_what_leaves_the_clone_and_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text("# Guide\n\n## Time zones and DST\n\nSee [home](README.md).\n")
    (tmp_path / "README.md").write_text(
        "# Kaizen\n\n"
        "The rules are in `../shared/DOMAIN.md`.\n"
        "Read [the guide](docs/guide.md#time-zones-and-dst) and [missing](docs/nothing.md).\n"
        "A [bad anchor](docs/guide.md#deadlines) and [outside](docs/../../secret.md).\n"
        "Also see ENGINEERING.md and [the web](https://example.com/x.md).\n"
        "```sh\nmake run\n```\n"
    )
    found = problems(tmp_path)
    assert any("README.md:3: a path leaving the repository" in p for p in found), found
    assert any("'docs/nothing.md' links to a file that does not exist" in p for p in found), found
    assert any("'docs/guide.md#deadlines' names no heading" in p for p in found), found
    assert any("'docs/../../secret.md' leaves the repository" in p for p in found), found
    assert any("names ENGINEERING.md" in p for p in found), found
    assert any("names DOMAIN.md" in p or "names ../shared/DOMAIN.md" in p for p in found), found
    assert any("docs/guide.md:5: 'README.md' links to a file that does not exist" in p for p in found), found
    assert not any("time-zones-and-dst" in p for p in found), found
    assert not any("example.com" in p for p in found), found
