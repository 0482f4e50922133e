"""Render the assessment report: papermill runs the notebook, nbconvert makes the HTML.

:func:`render` is the whole pipeline:

1. **Check the inputs in this process**: the scenario files are read and checked
   (:func:`needs.scenarios.spec.load_scenarios`), the output folder must be writable,
   :func:`needs.load` validates the data folder within the run's read limits (unless the
   caller passes the dataset or a snapshot of it), and the area, period and threshold are
   checked, so bad input fails fast with :class:`needs.errors.InputError` (exit 2) before
   any kernel starts.
2. **Execute** ``notebooks/assessment.ipynb`` with papermill (kernel ``python3``) into a
   temporary folder created inside the output folder (same filesystem). The data are
   validated once: the kernel gets the validated dataset as a snapshot file
   (:mod:`needs.inputs.snapshot`; notebook parameter ``snapshot``), written in that
   temporary folder unless the caller gives one, instead of loading the CSV files again.
   A failing cell becomes :class:`needs.errors.ReportError` (exit 1) naming the notebook
   section: the nearest markdown heading above the cell. Once the inputs are checked the
   kernel is started at once and imports the toolkit (:data:`KERNEL_PRELOAD`) while this
   process writes the snapshot and computes the assessment the notebook's first cell needs
   (the same call; notebook parameter ``assessment_file``): the two overlap instead of
   following each other. papermill writes the executed notebook once, at the end, not
   before and after every cell.
3. **Convert** the executed notebook with nbconvert and the ``needs-report`` template in
   ``templates/`` into one self-contained HTML file: no code, prompts or streams; a title
   block; a contents list; a provenance footer with the toolkit version, the parameters
   and the SHA-256 of every input file (by file name, never an absolute path).
4. **Publish atomically**: the HTML, the audit notebook and the open data (every published
   table as CSV with ``metadata.json``, in ``<name>-data.zip``: :mod:`needs.outputs.open_data`)
   are replaced together or not at all (:func:`replace_together`): the previous pair is kept as hard links in the work
   folder, and if the second :func:`os.replace` fails the first file is put back. A failed
   or interrupted run leaves the previous pair as it was and no partial file.

**Interrupts.** While a report renders, SIGINT and SIGTERM become
:class:`needs.errors.Interrupted` (:func:`needs.errors.interruptible`): the kernel process
this render started is killed at once (its whole process group), the exception unwinds
through the cleanup (the work folder, with the snapshot and the executed notebook, is
removed) and the previous handlers are restored; ``needs report`` then exits with 130
(SIGINT) or 143 (SIGTERM) and one line on standard error. A signal that arrives while the
two files are being replaced is held back until both are in place.

Reports are reproducible: the same inputs give byte-identical HTML (no wall-clock time
unless ``timestamp=True``; timing and kernel metadata are stripped; charts are
deterministic inline SVG).

Heavy imports (papermill, nbconvert, jupyter_client) happen inside the functions that use
them, so the command line starts quickly for the commands that render nothing.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import functools
import hashlib
import html
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from needs.assessment.assemble import assess, check_area_and_period
from needs.errors import InputError, ReportError, interruptible, uninterrupted
from needs.inputs.dataset import Dataset
from needs.inputs.load import load
from needs.inputs.snapshot import read_snapshot, write_assessment, write_snapshot
from needs.outputs.open_data import open_data_path, write_open_data
from needs.reference import locations
from needs.scenarios.spec import load_scenarios
from needs.settings import RunSettings
from needs.version import __version__

__all__ = ["NOTEBOOK", "TEMPLATE", "TEMPLATES", "replace_together", "report_paths", "render", "section_of"]

#: The parameterised assessment notebook.
NOTEBOOK = locations.notebook("assessment.ipynb")
#: Folder of nbconvert templates, and the report template's name.
TEMPLATES = locations.templates()
TEMPLATE = "needs-report"
#: Jupyter kernel the notebook runs in.
KERNEL = "python3"
#: Cell tag of the scenarios section (dropped from the HTML when no scenarios are given).
SCENARIOS_TAG = "scenarios"
#: Notebook parameter that receives the path of the dataset snapshot (if the notebook declares it).
SNAPSHOT_PARAMETER = "snapshot"
#: Setting sent to a notebook only if it declares it: a kernel given a snapshot reads no data file.
LIMITS_PARAMETER = "limits"
#: Notebook parameter that receives the assessment computed here while the kernel starts.
ASSESSMENT_PARAMETER = "assessment_file"
#: Arguments of the kernel: local kernels only, so keep its TCP warning out of the progress display.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]
#: Run in the kernel as soon as it has started, while this process writes the snapshot and
#: computes the assessment: the imports of the notebook's first cell (seconds of the kernel's
#: start-up), so that the cell does not wait for them. Silent: no output, no execution count.
KERNEL_PRELOAD = "import needs\nimport needs.publish.publication\n"

#: The kernel managers started by the render running in this context (see :func:`_kernel_manager_class`).
_KERNELS: contextvars.ContextVar[list[Any] | None] = contextvars.ContextVar(
    "needs_report_kernels", default=None
)
#: The kernel manager of the kernel started early by the render running in this context
#: (:func:`_start_kernel`), in which :func:`_execute` runs the notebook.
_STARTED: contextvars.ContextVar[Any] = contextvars.ContextVar("needs_report_started_kernel", default=None)


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


def check_options(settings: RunSettings) -> None:
    """The checks that need no data, cheapest first: the data folder and the scenario files
    exist, the scenario files are valid (:func:`needs.scenarios.spec.load_scenarios`: a
    mistake names the file and the key) and the output folder can be written (or created).

    Raises
    ------
    needs.errors.InputError
        Naming the file, key or option (exit 2).
    """
    settings.check_files()
    load_scenarios(settings.scenarios, limits=settings.read_limits)
    settings.check_out_dir()


def check_inputs(
    settings: RunSettings, dataset: Dataset | None = None, *, options_checked: bool = False
) -> tuple[Dataset, RunSettings]:
    """Load and validate the data (unless given), choose the area and the period, and check
    that the data cover them: everything that can fail on bad input, before any kernel starts.

    First :func:`check_options` (unless ``options_checked``), then the data folder is loaded
    and validated within the settings' read limits (unless ``dataset`` is given).

    Returns the dataset and the settings with the area and the period filled in.
    """
    if not options_checked:
        check_options(settings)
    if dataset is None:
        dataset = load(settings.data_dir, limits=settings.read_limits)
    resolved = settings.resolve(dataset)
    check_area_and_period(dataset, resolved.area, resolved.period)
    return dataset, resolved


def declares_parameter(notebook: str | Path, name: str) -> bool:
    """True if the parameters cell of ``notebook`` assigns ``name`` (e.g. ``snapshot = None``).

    A notebook that does not declare ``snapshot`` is not sent one (papermill would warn of
    an unknown parameter) and loads the data folder itself. A missing or unreadable notebook
    gives False (:func:`render` reports it).
    """
    try:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return False
    assigned = re.compile(rf"^{re.escape(name)}\s*(?::[^=]*)?=", re.MULTILINE)
    for cell in cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            return bool(assigned.search(source if isinstance(source, str) else "".join(source)))
    return False


def ensure_kernel(name: str = KERNEL) -> None:
    """Make sure the Jupyter kernel ``name`` exists; install ipykernel's spec if not.

    jupyter_client always finds the ``python3`` kernel of the running interpreter when
    ipykernel is installed; this installs a user kernelspec only when that is not so.
    """
    # Jupyter, papermill and nbconvert are heavy: imported only when a report is rendered.
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        from ipykernel.kernelspec import install  # heavy: only when the kernelspec is missing

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


def _report_metadata(dataset: Dataset, settings: RunSettings) -> dict[str, Any]:
    area, period = settings.area, settings.period
    area_name = dataset.area_name(area)
    meta = dataset.metadata or {}
    generated = None
    if settings.timestamp:
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
        "parameters": settings.described(area_name),
        "files": _file_rows(dataset, settings.scenarios),
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


#: An appendix's heading starts with this word ("Appendix A: ...").
APPENDIX = "Appendix"


def _contents(entries: Sequence[tuple[str, str]]) -> str:
    """The contents list: the report's sections, then a second list headed "Appendices"."""
    sections = [(slug, inner) for slug, inner in entries if not _is_appendix(inner)]
    appendices = [(slug, inner) for slug, inner in entries if _is_appendix(inner)]

    def items(rows: Sequence[tuple[str, str]]) -> str:
        return "\n".join(f'<li><a href="#{slug}">{inner}</a></li>' for slug, inner in rows)

    contents = f"<ol>\n{items(sections)}\n</ol>"
    if appendices:
        contents += (
            '\n<h3 class="contents-heading" id="contents-appendices">Appendices</h3>\n'
            f'<ul class="appendices" aria-labelledby="contents-appendices">\n{items(appendices)}\n</ul>'
        )
    return contents


def _is_appendix(inner: str) -> bool:
    return html.unescape(_TAGS.sub("", inner)).strip().startswith(f"{APPENDIX} ")


def finish_html(page: str) -> str:
    """Give headings in the main content stable ids and fill in the contents list.

    nbconvert's pilcrow anchor links are removed (their link text says nothing); each h2 and
    h3 inside ``<main>`` gets an id from its text, and an h2 starting "Appendix " the class
    ``appendix``; the contents list links every h2: the sections, then, as a second list
    headed "Appendices", the appendices.
    """
    page = _ANCHOR.sub("", page)
    start = page.index('<main id="main">')
    end = page.index("</main>")
    main = page[start:end]
    used: set[str] = {"main", "contents", "contents-appendices", "provenance"}
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
        attributes = f' id="{slug}"'
        if level == "2":
            entries.append((slug, inner.strip()))
            if _is_appendix(inner):
                attributes += ' class="appendix"'
        return f"<h{level}{attributes}>{inner}</h{level}>"

    main = _HEADINGS.sub(give_id, main)
    page = page[:start] + main + page[end:]
    return page.replace("<!-- needs:contents -->", _contents(entries), 1)


@functools.cache
def _exporter_class() -> type:
    """nbconvert's HTML exporter without the pass it makes over the finished page.

    ``HTMLExporter.from_notebook_node`` renders the template, then parses the whole page with
    BeautifulSoup to give an ``alt`` text to every ``<img>`` without one and ``tabindex`` to
    JupyterLab's cell and output wrappers, and writes the page out again: half of the
    conversion time for a report of many tables. The report has neither (its charts are SVG
    with their own title and description; the ``needs-report`` template has no JupyterLab
    wrappers), so this exporter stops after the template, as ``TemplateExporter`` does.
    """
    from nbconvert import HTMLExporter  # heavy: only when a report is rendered
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter  # heavy, as above

    class ReportExporter(HTMLExporter):
        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> tuple[str, Any]:
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return ReportExporter


def _import_exporter() -> None:
    """Import nbconvert and make the exporter class (:func:`_exporter_class`) ahead of use.

    Run in a background thread while the notebook runs; a failure is left for
    :func:`to_html` to raise where it is reported.
    """
    with contextlib.suppress(Exception):
        _exporter_class()


def to_html(notebook: Any) -> str:
    """Convert a publication notebook to the report HTML with the ``needs-report`` template."""
    # nbconvert's own templates (which ours extends) live under the prefix it was installed
    # in; in a virtual environment that borrows system packages that is the base prefix.
    nbconvert_templates = Path(sys.base_prefix) / "share" / "jupyter" / "nbconvert" / "templates"
    exporter = _exporter_class()(
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
    import nbformat  # heavy: only when a report is rendered

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


def run_settings(settings: RunSettings | str | Path | None = None, **options: Any) -> RunSettings:
    """Settings from a :class:`RunSettings`, or from a data folder and keyword options.

    ``render(settings)``, ``render(settings, period="2024-25")`` and
    ``render("my-data", "E10000018", "2024-25", "reports", suppress_below=10)`` are the same
    call; an option given as ``None`` keeps the settings' value (or the default).
    """
    given = {name: value for name, value in options.items() if value is not None}
    if isinstance(settings, RunSettings):
        return settings.replace(**given) if given else settings
    if settings is not None:
        given["data_dir"] = settings
    return RunSettings.from_options(**given)


def render(
    settings: RunSettings | str | Path | None = None,
    area: str | None = None,
    period: str | None = None,
    out_dir: str | Path | None = None,
    scenarios: Sequence[str | Path] | None = None,
    suppress_below: int | None = None,
    *,
    confidence: float | None = None,
    coe_types: Sequence[str] | None = None,
    target_turnaway: float | None = None,
    seed: int | None = None,
    timestamp: bool | None = None,
    limits: Sequence[str] | None = None,
    progress: bool = True,
    notebook: str | Path | None = None,
    name: str | None = None,
    title: str | None = None,
    dataset: Dataset | None = None,
    snapshot: str | Path | None = None,
) -> Path:
    """Render the assessment report of one area and period to HTML.

    Parameters
    ----------
    settings
        The run's :class:`needs.settings.RunSettings` (data folder, area, period, output
        folder, scenarios, threshold, confidence, benchmark types, target turn-away, seed,
        timestamp), or a data folder. Default: the embedded demonstration data with every
        default of :class:`~needs.settings.RunSettings`.
    area, period, out_dir, scenarios, suppress_below, confidence, coe_types, target_turnaway, seed, timestamp, limits
        Override the setting of the same name (``None`` keeps it): see
        :class:`~needs.settings.RunSettings`. With no area and no period the area is chosen
        by :func:`needs.settings.choose_area` and the period is the latest in the data.
        Writes ``<out_dir>/<area>-<period>.html`` and, beside it, the executed notebook
        ``<area>-<period>.audit.ipynb`` (internal, not for publication).
    progress
        Show stage messages and papermill's progress bar on standard error.
    notebook
        Notebook to run (default :data:`NOTEBOOK`, the annual assessment; for example
        ``notebooks/scenarios.ipynb`` for the commissioners' scenarios).
    name
        File name stem of the outputs (default ``<area>-<period>``).
    title
        Title of the page (default "Safe accommodation needs assessment: <area>, <period>").
    dataset
        The data folder already loaded and validated, so it is not loaded again here.
    snapshot
        A snapshot of the validated data folder (:func:`needs.inputs.snapshot.write_snapshot`):
        read here instead of loading the folder, and given unchanged to the kernel.
        All-areas rendering writes one for every area. Without one, the dataset is written
        to a snapshot in the temporary work folder for the kernel (removed at the end). Give
        ``dataset`` or ``snapshot``, not both.

    Returns
    -------
    pathlib.Path
        The HTML report.

    Raises
    ------
    needs.errors.InputError
        Bad data (validation messages), unknown area, bad period, a missing or invalid
        scenario file, an output folder that cannot be written: raised before any kernel
        starts.
    needs.errors.ReportError
        A notebook cell failed (the message names the section), or the files could not be
        replaced (the previous pair is left as it was).
    needs.errors.Interrupted
        SIGINT or SIGTERM arrived (in the main thread): the kernel was killed and the work
        folder removed; the previous report is as it was.
    needs.inputs.snapshot.SnapshotError
        ``snapshot`` is missing, corrupt or from another version.
    """
    if dataset is not None and snapshot is not None:
        raise ValueError("dataset, snapshot: give one or the other, not both")
    asked = run_settings(
        settings,
        area=area,
        period=period,
        out_dir=out_dir,
        scenarios=scenarios,
        suppress_below=suppress_below,
        confidence=confidence,
        coe_types=coe_types,
        target_turnaway=target_turnaway,
        seed=seed,
        timestamp=timestamp,
        limits=limits,
    )
    kernels: list[Any] = []
    token = _KERNELS.set(kernels)
    try:
        # SIGINT/SIGTERM: kill the kernel at once, then unwind through the cleanup below.
        with interruptible(on_signal=functools.partial(_stop_kernels, kernels, wait=False)):
            return _render(asked, progress, notebook, name, title, dataset, snapshot)
    finally:
        _stop_kernels(kernels, wait=True)
        _KERNELS.reset(token)


def _render(
    asked: RunSettings,
    progress: bool,
    notebook: str | Path | None,
    name: str | None,
    title: str | None,
    dataset: Dataset | None,
    snapshot: str | Path | None,
) -> Path:
    """:func:`render` once its settings are made (see there)."""
    check_options(asked)  # before any progress message: a mistake is the only line printed
    _stage(f"checking the data in {asked.data_dir.name}", progress)
    if snapshot is not None:
        snapshot = Path(snapshot).resolve()
        dataset = read_snapshot(snapshot)
    dataset, settings = check_inputs(asked, dataset, options_checked=True)
    if asked.area is None:
        _stage(f"area {settings.area} ({dataset.area_name(settings.area)})", progress)
    if asked.period is None:
        _stage(f"period {settings.period}, the latest in the data", progress)
    meta = _report_metadata(dataset, settings)
    if title:
        meta["title"] = title
    notebook = Path(notebook or NOTEBOOK)
    parameters = settings.to_parameters()
    if not declares_parameter(notebook, LIMITS_PARAMETER):
        parameters.pop(LIMITS_PARAMETER, None)

    out = settings.out_dir.resolve()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"cannot create the output folder {out}: {error.strerror or error}") from None
    html_path, audit_path = report_paths(out, settings.area, settings.period, name)
    ensure_kernel()
    work: Path | None = None
    try:
        with uninterrupted():  # a signal now would otherwise strand the folder before it is known
            work = Path(
                tempfile.mkdtemp(prefix=f".{settings.area}-{settings.period}.", suffix=".tmp", dir=out)
            )
        # The kernel starts (and imports the toolkit) while this process writes the snapshot
        # and computes the assessment: the two overlap instead of following each other.
        manager, client = _start_kernel(notebook.parent)
        started = _STARTED.set(manager)
        try:
            if declares_parameter(notebook, SNAPSHOT_PARAMETER):
                # The kernel reads the data validated above: the caller's snapshot, or one written in
                # the work folder (record-level data: only ever in temporary folders).
                parameters[SNAPSHOT_PARAMETER] = str(snapshot or write_snapshot(dataset, work))
            if declares_parameter(notebook, ASSESSMENT_PARAMETER):
                computed = _assess_for_kernel(dataset, settings, work)
                if computed is not None:
                    parameters[ASSESSMENT_PARAMETER] = str(computed)
            del dataset
            executed_path = work / "executed.ipynb"
            _stage(f"running the assessment notebook for {settings.area} {settings.period}", progress)
            executed = _execute(notebook, executed_path, parameters, progress)
        finally:
            _STARTED.reset(started)
            client.stop_channels()
        _stage("converting to HTML", progress)
        page = to_html(_publication_notebook(executed, meta, with_scenarios=bool(settings.scenarios)))
        staged_html = work / html_path.name
        staged_audit = work / audit_path.name
        staged_html.write_text(page, encoding="utf-8")
        import nbformat  # heavy (its schema checks take seconds to import): only once a report is rendered

        nbformat.write(_audit_notebook(executed), str(staged_audit))
        # The open data: every published table as CSV, with metadata, in a zip beside the page.
        staged_data = write_open_data(executed, staged_html, meta)
        replace_together(
            [(staged_audit, audit_path), (staged_data, open_data_path(html_path)), (staged_html, html_path)],
            work,
        )
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    _stage(f"written {html_path}", progress)
    return html_path


def replace_together(moves: Sequence[tuple[Path, Path]], work: Path) -> None:
    """Move each staged file onto its target with :func:`os.replace`: all of them or none.

    Each target that exists is first kept in ``work`` (a hard link, or a copy where links
    are not possible; ``work`` must be on the targets' filesystem). If a move fails, the
    targets already replaced are put back from those copies (or removed, if there was no
    previous file), so the previous set of files stays consistent. SIGINT and SIGTERM are
    held back until the moves are done (:func:`needs.errors.uninterrupted`).

    Parameters
    ----------
    moves
        ``(staged, target)`` pairs, in the order they are replaced.
    work
        A temporary folder beside the targets; the caller removes it.

    Raises
    ------
    needs.errors.ReportError
        A move failed; the targets are as they were before the call.
    """
    with uninterrupted():
        kept: list[Path | None] = []
        try:
            for number, (_, target) in enumerate(moves):
                if not os.path.lexists(target):
                    kept.append(None)
                    continue
                backup = Path(work) / f".previous-{number}-{Path(target).name}"
                try:
                    os.link(target, backup)
                except OSError:
                    shutil.copy2(target, backup)
                kept.append(backup)
        except OSError as error:
            raise ReportError(
                f"cannot replace {error.filename or 'the report'}: {error.strerror or error}; "
                "the previous report was left as it was"
            ) from None
        done: list[tuple[Path, Path | None]] = []
        try:
            for (staged, target), backup in zip(moves, kept, strict=True):
                os.replace(staged, target)
                done.append((Path(target), backup))
        except OSError as error:
            restored = _restore(done)
            state = "left as it was" if restored else "partly replaced: check it"
            raise ReportError(
                f"cannot write {error.filename or 'the report'}: {error.strerror or error}; "
                f"the previous report and audit notebook were {state}"
            ) from None
        except BaseException:
            _restore(done)
            raise


def _restore(done: Sequence[tuple[Path, Path | None]]) -> bool:
    """Put back the targets already replaced (newest first); True if all were restored."""
    restored = True
    for target, backup in reversed(done):
        try:
            if backup is None:
                target.unlink(missing_ok=True)
            else:
                os.replace(backup, target)
        except OSError:
            restored = False
    return restored


# --------------------------------------------------------------------------------------------
# The kernel: started under a known manager, killed on an interrupt
# --------------------------------------------------------------------------------------------


@functools.cache
def _kernel_manager_class() -> type:
    """A Jupyter kernel manager that records itself in the running render's list of kernels
    (:data:`_KERNELS`) when it starts a kernel, so an interrupt can kill that kernel."""
    from jupyter_client.manager import AsyncKernelManager  # heavy: only when a report is rendered

    class RecordedKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kwargs: Any) -> None:
            kernels = _KERNELS.get()
            if kernels is not None:
                kernels.append(self)
            await super().start_kernel(**kwargs)

    return RecordedKernelManager


def _stop_kernels(kernels: Sequence[Any], wait: bool = True) -> None:
    """Kill every kernel in ``kernels`` that is still running (its whole process group).

    Called by the signal handler (``wait=False``: only the kill, nothing that blocks) and
    when a render ends (``wait=True``: also reap the process and remove its connection
    file). A kernel already shut down by papermill has no process left and is skipped.
    """
    for manager in kernels:
        provisioner = getattr(manager, "provisioner", None)
        process = getattr(provisioner, "process", None)
        if process is None:
            continue
        if process.poll() is None:
            group = getattr(provisioner, "pgid", None)
            with contextlib.suppress(OSError):
                # The kernel runs in its own session: its group holds it and its children.
                if group and hasattr(os, "killpg") and group != os.getpgid(0):
                    os.killpg(group, signal.SIGKILL)
                else:
                    process.kill()
        if wait:
            with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                process.wait(timeout=10)
            with contextlib.suppress(Exception):
                manager.cleanup_connection_file()


def _skip_iri_checker() -> None:
    """Keep jsonschema from importing ``rfc3987_syntax`` (when nbformat imports it).

    jsonschema registers a checker of the ``iri`` string format if that optional package is
    installed, and importing it builds its grammar: over two seconds, most of the cost of
    importing papermill. Notebook schemas have no ``iri`` field, so nbformat never uses the
    checker; marking the package as absent (``sys.modules`` entry ``None``, Python's own way
    to block an import) leaves every other check as it was. No effect once jsonschema has been
    imported, or if the package is already imported.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def _start_kernel(cwd: Path) -> tuple[Any, Any]:
    """Start the notebook's kernel now and have it run :data:`KERNEL_PRELOAD`.

    Returns the kernel manager (recorded in :data:`_KERNELS`, so an interrupt or the end of
    the render kills the kernel) and the client that sent the preload (stop its channels).
    papermill then runs the notebook in this kernel; the kernel runs requests one after the
    other, so the first cell starts once the imports are done.
    """
    from jupyter_client.blocking import BlockingKernelClient  # heavy: only when a report is rendered
    from jupyter_core.utils import run_sync

    manager = _kernel_manager_class()(kernel_name=KERNEL)
    run_sync(manager.start_kernel)(extra_arguments=KERNEL_ARGUMENTS, cwd=str(cwd))
    client = BlockingKernelClient()
    client.load_connection_info(manager.get_connection_info())
    client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
    client.execute(KERNEL_PRELOAD, silent=True, store_history=False, allow_stdin=False)
    return manager, client


def _assess_for_kernel(dataset: Dataset, settings: RunSettings, work: Path) -> Path | None:
    """The assessment the notebook's first cell computes, computed here (while the kernel
    starts) and written to the work folder (:func:`needs.inputs.snapshot.write_assessment`).

    The call is the notebook's: the area and period resolved above, the settings' options and
    no findings of its own (the publication writes them). If it fails, nothing is written and
    the kernel computes it and reports the failure with the notebook section.
    """
    call = {"area": settings.area, "period": settings.period, **settings.assessment_options()}
    call["with_findings"] = False
    try:
        assessment = assess(dataset, **call)
    except Exception:  # the kernel computes it again and reports the failure with its section
        return None
    return write_assessment(assessment, work, call)


def _execute(notebook: Path, output: Path, parameters: dict[str, Any], progress: bool) -> Any:
    """Run the notebook with papermill, in the kernel this render started early
    (:func:`_start_kernel`) or else a new one; map a failing cell to its section."""
    _skip_iri_checker()
    import nbformat  # heavy: only when a report is rendered
    import papermill
    from papermill.exceptions import PapermillExecutionError

    logging.getLogger("papermill").setLevel(logging.WARNING)
    if not notebook.is_file():
        raise ReportError(f"notebook not found: {notebook}")
    # nbconvert (a second to import) is needed once the notebook has run: import it meanwhile,
    # while this process only waits for the kernel (papermill's imports are done by now).
    threading.Thread(target=_import_exporter, name="needs-import-nbconvert", daemon=True).start()
    try:
        return papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name=KERNEL,
            progress_bar=progress,
            log_output=False,
            # papermill would otherwise write (and validate) the whole notebook before and after
            # every cell: 150 writes of a growing notebook with images, several seconds. It is
            # still written once at the end, and before a cell's error is raised.
            request_save_on_cell_execute=False,
            extra_arguments=KERNEL_ARGUMENTS,
            cwd=str(notebook.parent),
            # Records the kernel so that an interrupt can kill it (see _stop_kernels).
            kernel_manager_class=_kernel_manager_class(),
            km=_STARTED.get(),
        )
    except PapermillExecutionError as error:
        section = "unknown section"
        if output.is_file():
            section = section_of(nbformat.read(str(output), as_version=4), error.cell_index)
        raise ReportError(
            f"the report failed in the section '{section}' (notebook cell {error.cell_index}): "
            f"{error.ename}: {error.evalue}"
        ) from None
