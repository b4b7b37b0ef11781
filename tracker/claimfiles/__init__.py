"""Claim files: the plain-text form of the tracker's claims (TOML, one file per source).

Read and checked (`check_paths`), merged into the database (`import_paths`), written back
(`export_claims`), and used to fill an empty database on first run (`seed_if_empty`). The
format is documented in `claims/README.md`. Core code: no Textual, no CLI.
"""

from __future__ import annotations

from tracker.claimfiles.check import CheckResult, check_files, check_paths
from tracker.claimfiles.entries import (
    ClaimEntry,
    ClaimFile,
    EvidenceEntry,
    ForecastEntry,
    HistoryEntry,
    RetractionEntry,
    SourceEntry,
)
from tracker.claimfiles.exporter import ExportedFile, ExportReport, export_claims
from tracker.claimfiles.importer import FileSummary, ImportReport, import_if_empty, import_paths
from tracker.claimfiles.merge import Note, Prefer
from tracker.claimfiles.paths import claim_file_paths, default_claims_dir
from tracker.claimfiles.problems import Problem, ProblemsFound
from tracker.claimfiles.reader import ReadFile, read_path, read_text
from tracker.claimfiles.seed import seed_if_empty
from tracker.claimfiles.writer import render

__all__ = [
    "CheckResult",
    "ClaimEntry",
    "ClaimFile",
    "EvidenceEntry",
    "ExportReport",
    "ExportedFile",
    "FileSummary",
    "ForecastEntry",
    "HistoryEntry",
    "ImportReport",
    "Note",
    "Prefer",
    "Problem",
    "ProblemsFound",
    "ReadFile",
    "RetractionEntry",
    "SourceEntry",
    "check_files",
    "check_paths",
    "claim_file_paths",
    "default_claims_dir",
    "export_claims",
    "import_if_empty",
    "import_paths",
    "read_path",
    "read_text",
    "render",
    "seed_if_empty",
]
