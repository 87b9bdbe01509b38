"""Label huge inputs chunk by chunk: bounded memory, resumable, locally or on Dask.

The input (a folder of articles, or a JSONL / CSV / Parquet file of passages) is
read as a stream and cut into chunks of ``chunksize`` passages (a folder's chunks
end with an article, so that the default model reads each paragraph within its
whole article). Each labelled
chunk is written as a Parquet *part file* in a hidden work folder beside the
output::

    out.parquet                  written last, atomically
    .out.parquet.parts/
        manifest.json            input fingerprint, level, model, chunksize
        part-000000.parquet      chunk 0, and so on

A run that is interrupted (Ctrl-C, a crash, a killed worker) leaves its finished
parts behind; the next run with the same settings skips them. Only when every
chunk is done are the parts streamed into one file, which is renamed into place.
Memory therefore stays at a few chunks, whatever the size of the input.
"""


from analysis.batch.engines import ENGINES, cached_model, label_chunk_on_worker, model_loads
from analysis.batch.output import label_chunk, output_schema
from analysis.batch.run import run_batch
from analysis.batch.sources import Position, Source, open_source

__all__ = ["ENGINES", "open_source", "output_schema", "label_chunk", "run_batch", "model_loads", "cached_model",
           "label_chunk_on_worker", "Source", "Position"]
