"""The fixed, read-only folder tree that Files and the Terminal both browse.

Small on purpose: a model has to learn every listing and every file's text from
recordings, so the tree never changes and every name fits a narrow window.
"""

from __future__ import annotations

HOME = "/home"
TREE = {  # lines of at most 15 characters: one Notepad row at 128x128
    "home": {
        "docs": {
            "plan.txt": "Step 1: record\nStep 2: train\nStep 3: run it",
            "todo.txt": "- draw a font\n- test calc\n- take a shot",
        },
        "notes": {
            "hello.txt": "Hello, world!",
            "ideas.txt": "A computer that\nis one neural\nnetwork.",
        },
        "readme.txt": "Welcome!\nDouble-click\na file to open\nit in Notepad.",
    }
}


def resolve(cwd: str, path: str) -> str:
    """An absolute, normalised path for `path` relative to `cwd` (whether or not it exists)."""
    parts = [] if path.startswith("/") else [p for p in cwd.split("/") if p]
    for part in path.split("/"):
        if part == "..":
            parts = parts[:-1]
        elif part not in ("", "."):
            parts.append(part)
    return "/" + "/".join(parts)


def lookup(path: str) -> dict | str | None:
    """The folder (a dict) or file text (a str) at an absolute path, or None if there is none."""
    node: dict | str = TREE
    for part in filter(None, path.split("/")):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def listing(path: str) -> list[str]:
    """A folder's entries, folders first (marked with a trailing "/"), each group sorted."""
    folder = lookup(path)
    assert isinstance(folder, dict), path
    folders = sorted(name + "/" for name, node in folder.items() if isinstance(node, dict))
    return folders + sorted(name for name, node in folder.items() if isinstance(node, str))
