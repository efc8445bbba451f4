"""The batch job: reports through the pipeline in isolated workers (``reports``, ``isolation``, or on
dask.distributed: ``dask_engine``), written into staged outputs (``staging``) whose fields ``schema`` describes,
optionally as Parquet (``columnar``).

Kept empty of imports: ``govreport --help`` and a worker's start-up import only what they use.
"""
