"""Inputs: from the files councils receive to one validated :class:`~needs.inputs.dataset.Dataset`.

``dataset`` (the validated tables of a data folder), ``load`` (reading CSV and XLSX folders,
``dataset.yaml``, SHA-256 of every file), ``validate`` (every problem in one pass, with file,
row and column) and ``template`` (the Excel workbook providers fill in).
"""
