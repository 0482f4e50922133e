"""Render the assessment report: papermill runs the notebook, nbconvert makes the HTML.

:func:`render` is the whole pipeline:

1. **Check the inputs in this process** (:func:`needs.load` validates the data folder;
   the area, period, threshold and scenario files are checked), so bad input fails fast
   with :class:`needs.errors.InputError` (exit 2) before any kernel starts.
2. **Execute** ``notebooks/assessment.ipynb`` with papermill (kernel ``python3``) into a
   temporary folder created inside the output folder (same filesystem). A failing cell
   becomes :class:`needs.errors.ReportError` (exit 1) naming the notebook section: the
   nearest markdown heading above the cell.
3. **Convert** the executed notebook with nbconvert and the ``needs-report`` template in
   ``templates/`` into one self-contained HTML file: no code, prompts or streams; a title
   block; a contents list; a provenance footer with the toolkit version, the parameters
   and the SHA-256 of every input file (by file name, never an absolute path).
4. **Publish atomically**: the audit notebook and then the HTML are moved into place with
   :func:`os.replace`. A failed or interrupted run leaves no new HTML and no partial file.

Reports are reproducible: the same inputs give byte-identical HTML (no wall-clock time
unless ``timestamp=True``; timing and kernel metadata are stripped; charts are
deterministic PNGs).

Heavy imports (papermill, nbconvert) happen inside functions, so ``import needs.report``
stays cheap.
"""

from __future__ import annotations

import copy
import html
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC
from pathlib import Path
from typing import Any

from needs.errors import InputError, ReportError

__all__ = ["NOTEBOOK", "TEMPLATE", "TEMPLATES", "cli_report", "report_paths", "render", "section_of"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: The parameterised assessment notebook.
NOTEBOOK = PROJECT_ROOT / "notebooks" / "assessment.ipynb"
#: Folder of nbconvert templates, and the report template's name.
TEMPLATES = PROJECT_ROOT / "templates"
TEMPLATE = "needs-report"
#: Jupyter kernel the notebook runs in.
KERNEL = "python3"
#: Cell tag of the scenarios section (dropped from the HTML when no scenarios are given).
SCENARIOS_TAG = "scenarios"

_DEFAULT_DATA = PROJECT_ROOT / "data" / "example"
_DEFAULT_AREA = "E10000018"
_DEFAULT_PERIOD = "2023-24"
_DEFAULT_OUT = Path("reports")


def _stage(message: str, progress: bool) -> None:
    if progress:
        print(f"needs report: {message}", file=sys.stderr, flush=True)


def report_paths(out_dir: str | Path, area: str, period: str, name: str | None = None) -> tuple[Path, Path]:
    """Paths of the HTML report and of the audit notebook: ``<out>/<name>.html`` where the
    name defaults to ``<area>-<period>``."""
    out = Path(out_dir)
    stem = name or f"{area}-{period}"
    return out / f"{stem}.html", out / f"{stem}.audit.ipynb"


# --------------------------------------------------------------------------------------------
# Checking inputs before the kernel starts
# --------------------------------------------------------------------------------------------


def _check_inputs(
    data_dir: Path,
    area: str | None,
    period: str,
    scenarios: Sequence[str | Path],
    suppress_below: int,
    confidence: float,
    coe_types: Sequence[str] | None = None,
    target_turnaway: float | None = None,
) -> tuple[Any, str, list[Path]]:
    from needs.assessment import check_area_and_period
    from needs.categories import ACCOMMODATION_TYPES
    from needs.io import load
    from needs.periods import is_period

    if isinstance(suppress_below, bool) or not isinstance(suppress_below, int) or suppress_below < 1:
        raise InputError(f"--suppress-below must be a whole number of at least 1, got {suppress_below!r}")
    if not 0 < float(confidence) < 1:
        raise InputError(f"confidence must be between 0 and 1, got {confidence!r}")
    unknown = sorted(set(coe_types or ()) - set(ACCOMMODATION_TYPES.codes))
    if unknown:
        raise InputError(
            f"--coe-types: unknown accommodation types {', '.join(unknown)}; "
            f"expected some of {', '.join(ACCOMMODATION_TYPES.codes)}"
        )
    if target_turnaway is not None and not 0 < float(target_turnaway) < 1:
        raise InputError(f"--target-turnaway must be between 0 and 1, got {target_turnaway!r}")
    if not is_period(period):
        raise InputError(f"period '{period}' is not a financial year such as 2023-24")
    if not data_dir.is_dir():
        raise InputError(f"data folder not found: {data_dir}")
    scenario_paths = [Path(s).resolve() for s in scenarios]
    for path in scenario_paths:
        if not path.is_file():
            raise InputError(f"scenario file not found: {path}")
    dataset = load(data_dir)
    tier_one = dataset.tier_one_areas()
    codes = sorted(tier_one["area_code"].astype(str))
    if area is None:
        if _DEFAULT_AREA in codes and data_dir == _DEFAULT_DATA.resolve():
            area = _DEFAULT_AREA
        elif len(codes) == 1:
            area = codes[0]
        else:
            raise InputError(
                f"{data_dir.name} holds {len(codes)} tier-one areas; choose one with --area "
                f"({', '.join(codes[:10])}{', ...' if len(codes) > 10 else ''})"
            )
    if area not in codes:
        raise InputError(
            f"area '{area}' is not a tier-one area with population in {data_dir.name}; "
            f"known areas: {', '.join(codes[:10])}{', ...' if len(codes) > 10 else ''}"
        )
    check_area_and_period(dataset, area, period)
    return dataset, area, scenario_paths


def ensure_kernel(name: str = KERNEL) -> None:
    """Make sure the Jupyter kernel ``name`` exists; install ipykernel's spec if not.

    jupyter_client always finds the ``python3`` kernel of the running interpreter when
    ipykernel is installed; this installs a user kernelspec only when that is not so.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        from ipykernel.kernelspec import install

        install(user=True, kernel_name=name)


# --------------------------------------------------------------------------------------------
# Errors: which section failed
# --------------------------------------------------------------------------------------------

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$", re.MULTILINE)


def section_of(notebook: Any, cell_index: int) -> str:
    """The nearest markdown heading at or above ``cell_index`` (``"start of the notebook"``)."""
    cells = notebook["cells"] if isinstance(notebook, dict) else notebook.cells
    for cell in reversed(cells[: cell_index + 1]):
        if cell.get("cell_type") == "markdown":
            headings = _HEADING.findall(cell.get("source", ""))
            if headings:
                return headings[-1][1]
    return "start of the notebook"


# --------------------------------------------------------------------------------------------
# Conversion
# --------------------------------------------------------------------------------------------


def _file_rows(dataset: Any, scenario_paths: Sequence[Path]) -> list[tuple[str, str]]:
    import hashlib

    rows = []
    folder = Path(dataset.folder) if dataset.folder is not None else None
    for item in dataset.files:
        path = Path(item.path)
        try:
            name = path.relative_to(folder).as_posix() if folder else path.name
        except ValueError:
            name = path.name
        rows.append((name, item.sha256))
    for path in scenario_paths:
        rows.append((f"scenario: {path.name}", hashlib.sha256(path.read_bytes()).hexdigest()))
    return sorted(rows)


def _report_metadata(
    dataset: Any,
    area: str,
    period: str,
    parameters: dict[str, Any],
    scenario_paths: Sequence[Path],
    timestamp: bool,
) -> dict[str, Any]:
    from needs import __version__
    from needs.categories import COE_DEFAULT_TYPES
    from needs.constants import DEFAULT_TARGET_TURNAWAY

    coe_types = parameters.get("coe_types") or COE_DEFAULT_TYPES
    target = parameters.get("target_turnaway")
    target = DEFAULT_TARGET_TURNAWAY if target is None else target
    area_name = dataset.area_name(area)
    meta = dataset.metadata or {}
    shown = [
        ("Data folder", Path(parameters["data_dir"]).name),
        ("Area", f"{area_name} ({area})"),
        ("Period", period),
        ("Scenarios", ", ".join(p.name for p in scenario_paths) or "none"),
        ("Suppress counts below", str(parameters["suppress_below"])),
        ("Confidence level", f"{100 * parameters['confidence']:g}%"),
        ("Types counted towards the Council of Europe benchmark", ", ".join(coe_types)),
        ("Target share turned away", f"{100 * target:g}%"),
    ]
    generated = None
    if timestamp:
        from datetime import datetime

        generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return {
        "title": f"Safe accommodation needs assessment: {area_name}, {period}",
        # The dataset's authority applies only to its own area (a dataset may hold neighbours).
        "authority": str(meta["authority"]) if area_name in str(meta.get("authority", "")) else area_name,
        "area": area,
        "period": period,
        "data_date": str(meta["data_date"]) if meta.get("data_date") else "",
        "version": __version__,
        "demonstration": bool(dataset.demonstration),
        "parameters": shown,
        "files": _file_rows(dataset, scenario_paths),
        "generated": generated,
    }


def _publication_notebook(notebook: Any, meta: dict[str, Any], with_scenarios: bool) -> Any:
    """A copy of the executed notebook cleaned for publication.

    Drops the code of every cell, every stream and error output, the scenarios section when
    there are none, and all metadata that varies between runs (papermill timings, kernel
    details, cell ids).
    """
    nb = copy.deepcopy(notebook)
    cells = []
    for cell in nb.cells:
        tags = list(cell.get("metadata", {}).get("tags", []))
        if not with_scenarios and SCENARIOS_TAG in tags:
            continue
        if cell.cell_type == "code":
            cell.outputs = [
                out for out in cell.outputs if out.get("output_type") in ("display_data", "execute_result")
            ]
            for out in cell.outputs:
                out["output_type"] = "display_data"
                out["metadata"] = {}
                out.pop("execution_count", None)
                out["data"] = {
                    k: v for k, v in out.get("data", {}).items() if k in ("text/html", "text/markdown")
                }
            cell.execution_count = None
            cell.source = ""
        cell.metadata = {"tags": tags} if tags else {}
        cell["id"] = f"cell-{len(cells)}"
        cells.append(cell)
    nb.cells = cells
    nb.metadata = {"needs": meta, "language_info": {"name": "python"}}
    return nb


_ANCHOR = re.compile(r'<a class="anchor-link" href="#[^"]*">[^<]*</a>')
_HEADINGS = re.compile(r"<h([23])(?: id=\"[^\"]*\")?>(.*?)</h\1>", re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "section"


def finish_html(page: str) -> str:
    """Give headings in the main content stable ids and fill in the contents list.

    nbconvert's pilcrow anchor links are removed (their link text says nothing); each h2 and
    h3 inside ``<main>`` gets an id from its text; the contents list links every h2.
    """
    page = _ANCHOR.sub("", page)
    start = page.index('<main id="main">')
    end = page.index("</main>")
    main = page[start:end]
    used: set[str] = {"main", "contents", "provenance"}
    entries: list[tuple[str, str]] = []

    def give_id(match: re.Match) -> str:
        level, inner = match.group(1), match.group(2)
        text = html.unescape(_TAGS.sub("", inner)).strip()
        slug = base = _slug(text)
        n = 2
        while slug in used:
            slug = f"{base}-{n}"
            n += 1
        used.add(slug)
        if level == "2":
            entries.append((slug, inner.strip()))
        return f'<h{level} id="{slug}">{inner}</h{level}>'

    main = _HEADINGS.sub(give_id, main)
    items = "\n".join(f'<li><a href="#{slug}">{inner}</a></li>' for slug, inner in entries)
    contents = f"<ol>\n{items}\n</ol>"
    page = page[:start] + main + page[end:]
    return page.replace("<!-- needs:contents -->", contents, 1)


def to_html(notebook: Any) -> str:
    """Convert a publication notebook to the report HTML with the ``needs-report`` template."""
    from nbconvert import HTMLExporter

    # nbconvert's own templates (which ours extends) live under the prefix it was installed
    # in; in a virtual environment that borrows system packages that is the base prefix.
    nbconvert_templates = Path(sys.base_prefix) / "share" / "jupyter" / "nbconvert" / "templates"
    exporter = HTMLExporter(
        template_name=TEMPLATE,
        extra_template_basedirs=[str(TEMPLATES), str(nbconvert_templates)],
        extra_template_paths=[str(nbconvert_templates)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(notebook)
    return finish_html(body)


def _audit_notebook(notebook: Any) -> Any:
    """The executed notebook with a banner cell saying it is an internal audit file."""
    import nbformat

    nb = copy.deepcopy(notebook)
    banner = nbformat.v4.new_markdown_cell(
        "**Internal audit log: not for publication.** This is the executed notebook behind the "
        "published HTML report. Its outputs may include working figures; publish only the HTML."
    )
    banner.metadata["tags"] = ["needs-audit-banner"]
    banner["id"] = "needs-audit-banner"
    nb.cells.insert(0, banner)
    nb.metadata["needs_audit"] = {"internal": True, "publication": False}
    return nb


# --------------------------------------------------------------------------------------------
# The pipeline
# --------------------------------------------------------------------------------------------


def render(
    data_dir: str | Path = _DEFAULT_DATA,
    area: str | None = None,
    period: str = _DEFAULT_PERIOD,
    out_dir: str | Path = _DEFAULT_OUT,
    scenarios: Sequence[str | Path] = (),
    suppress_below: int | None = None,
    *,
    confidence: float = 0.95,
    coe_types: Sequence[str] | None = None,
    target_turnaway: float | None = None,
    timestamp: bool = False,
    progress: bool = True,
    notebook: str | Path | None = None,
    name: str | None = None,
    title: str | None = None,
) -> Path:
    """Render the assessment report of one area and period to HTML.

    Parameters
    ----------
    data_dir
        Data folder (default: the embedded demonstration data, ``data/example``).
    area
        Tier-one area code. Default: ``E10000018`` for the example, or the only tier-one area
        of the data.
    period
        Financial year, e.g. ``2023-24``.
    out_dir
        Output folder (created if needed). Writes ``<area>-<period>.html`` and, beside it,
        the executed notebook ``<area>-<period>.audit.ipynb`` (internal, not for publication).
    scenarios
        Scenario YAML files; the scenarios section appears only when some are given.
    suppress_below
        Disclosure threshold (default 5): counts from 1 to ``suppress_below - 1`` are hidden.
    confidence
        Confidence level of intervals.
    coe_types
        Accommodation types counted towards the Council of Europe benchmark (default:
        :data:`needs.categories.COE_DEFAULT_TYPES`).
    target_turnaway
        Target share turned away for lack of space when sizing capacity (default:
        :data:`needs.constants.DEFAULT_TARGET_TURNAWAY`).
    timestamp
        Print the time of rendering in the title block (off by default so that the same inputs
        give the same bytes).
    progress
        Show stage messages and papermill's progress bar on standard error.
    notebook
        Notebook to run (default :data:`NOTEBOOK`, the annual assessment; for example
        ``notebooks/scenarios.ipynb`` for the commissioners' scenarios).
    name
        File name stem of the outputs (default ``<area>-<period>``).
    title
        Title of the page (default "Safe accommodation needs assessment: <area>, <period>").

    Returns
    -------
    pathlib.Path
        The HTML report.

    Raises
    ------
    needs.errors.InputError
        Bad data (validation messages), unknown area, bad period or missing scenario file:
        raised before any kernel starts.
    needs.errors.ReportError
        A notebook cell failed; the message names the section.
    """
    import nbformat

    from needs.constants import DEFAULT_SUPPRESS_BELOW

    suppress_below = DEFAULT_SUPPRESS_BELOW if suppress_below is None else suppress_below
    data_dir = Path(data_dir).resolve()
    _stage(f"checking the data in {data_dir.name}", progress)
    dataset, area, scenario_paths = _check_inputs(
        data_dir, area, period, scenarios, suppress_below, confidence, coe_types, target_turnaway
    )
    parameters: dict[str, Any] = {
        "data_dir": str(data_dir),
        "area": area,
        "period": period,
        "scenarios": [str(p) for p in scenario_paths],
        "suppress_below": int(suppress_below),
        "confidence": float(confidence),
        "coe_types": list(coe_types) if coe_types is not None else None,
        "target_turnaway": None if target_turnaway is None else float(target_turnaway),
        "timestamp": bool(timestamp),
    }
    meta = _report_metadata(dataset, area, period, parameters, scenario_paths, timestamp)
    if title:
        meta["title"] = title
    del dataset

    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path, audit_path = report_paths(out_dir, area, period, name)
    ensure_kernel()
    work = Path(tempfile.mkdtemp(prefix=f".{area}-{period}.", suffix=".tmp", dir=out_dir))
    try:
        executed_path = work / "executed.ipynb"
        _stage(f"running the assessment notebook for {area} {period}", progress)
        executed = _execute(Path(notebook or NOTEBOOK), executed_path, parameters, progress)
        _stage("converting to HTML", progress)
        page = to_html(_publication_notebook(executed, meta, with_scenarios=bool(scenario_paths)))
        staged_html = work / html_path.name
        staged_audit = work / audit_path.name
        staged_html.write_text(page, encoding="utf-8")
        nbformat.write(_audit_notebook(executed), str(staged_audit))
        os.replace(staged_audit, audit_path)
        os.replace(staged_html, html_path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _stage(f"written {html_path}", progress)
    return html_path


def _execute(notebook: Path, output: Path, parameters: dict[str, Any], progress: bool) -> Any:
    """Run the notebook with papermill; map a failing cell to its section."""
    import logging

    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    logging.getLogger("papermill").setLevel(logging.WARNING)
    if not notebook.is_file():
        raise ReportError(f"notebook not found: {notebook}")
    try:
        return papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name=KERNEL,
            progress_bar=progress,
            log_output=False,
            # Local kernels only: keep the kernel's TCP warning out of the progress display.
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
            cwd=str(notebook.parent),
        )
    except PapermillExecutionError as error:
        section = "unknown section"
        if output.is_file():
            section = section_of(nbformat.read(str(output), as_version=4), error.cell_index)
        raise ReportError(
            f"the report failed in the section '{section}' (notebook cell {error.cell_index}): "
            f"{error.ename}: {error.evalue}"
        ) from None


def cli_report(args: Any) -> int:
    """``needs report``: render one area's report; print where it was written."""
    scenarios = [str(path) for path in (getattr(args, "scenario", None) or [])]
    # Optional flags (read when the parser defines them): --confidence, --coe-types,
    # --target-turnaway, --timestamp.
    options: dict[str, Any] = {}
    for name in ("confidence", "coe_types", "target_turnaway"):
        if getattr(args, name, None) is not None:
            options[name] = getattr(args, name)
    if getattr(args, "timestamp", False):
        options["timestamp"] = True
    path = render(
        data_dir=args.data,
        area=args.area,
        period=args.period,
        out_dir=args.out,
        scenarios=scenarios,
        suppress_below=args.suppress_below,
        **options,
    )
    print(path)
    return 0
