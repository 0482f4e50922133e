"""Outputs: the files the toolkit writes.

``report`` (papermill and nbconvert render one area's HTML report), ``all_areas`` (every
tier-one area's report, in a process pool or on a Dask cluster, and the index page),
``annual_return`` (the return to MHCLG: its lines, built from the data), ``return_workbook``
(the return written as XLSX and CSV) and ``files`` (atomic, reproducible file writing).
"""
