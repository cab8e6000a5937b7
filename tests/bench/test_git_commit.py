"""bench/report.py's git_commit: HEAD's commit from .git's files, in a checkout and in a worktree."""

from __future__ import annotations

from pathlib import Path

from bench.report import git_commit

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def checkout(tmp_path: Path, *, packed: bool = False) -> Path:
    git = tmp_path / "repo" / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    if packed:
        (git / "packed-refs").write_text(f"# pack-refs\n{COMMIT} refs/heads/main\n")
    else:
        (git / "refs" / "heads" / "main").write_text(COMMIT + "\n")
    return git.parent


def test_a_checkouts_branch_loose_or_packed(tmp_path):
    assert git_commit(checkout(tmp_path)) == COMMIT
    assert git_commit(checkout(tmp_path / "p", packed=True)) == COMMIT


def test_a_worktrees_branch_is_read_from_the_common_git_directory(tmp_path):
    main = checkout(tmp_path, packed=True)
    gitdir = main / ".git" / "worktrees" / "wt"
    gitdir.mkdir(parents=True)
    (gitdir / "HEAD").write_text("ref: refs/heads/main\n")
    (gitdir / "commondir").write_text("../..\n")
    worktree = tmp_path / "wt"
    worktree.mkdir()
    (worktree / ".git").write_text(f"gitdir: {gitdir}\n")
    assert git_commit(worktree) == COMMIT


def test_a_detached_head_and_no_git_at_all(tmp_path):
    repo = checkout(tmp_path)
    (repo / ".git" / "HEAD").write_text(COMMIT + "\n")
    assert git_commit(repo) == COMMIT
    assert git_commit(tmp_path / "nowhere") is None
