"""The SparkSession of batch jobs: local mode by default, small, quiet, offline.

One session per process, made on first use: starting the JVM takes seconds, and
PySpark is imported only here so ecomrisk runs without Spark being started.
"""

import os
import sys
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# Few shuffle partitions: the default 200 makes small batch jobs mostly overhead.
SHUFFLE_PARTITIONS = 4
# Arrow batches handed to Python workers (``mapInArrow``): bounded memory per worker.
ARROW_BATCH_ROWS = 10_000

_CONFIG = {
    "spark.ui.enabled": "false",
    # Local mode runs everything in the driver's JVM: the feature SQL's correlated
    # subqueries ran out of the default 1 GB heap when written to Parquet.
    "spark.driver.memory": "2g",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": str(SHUFFLE_PARTITIONS),
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.maxRecordsPerBatch": str(ARROW_BATCH_ROWS),
    # Listen on loopback only: local mode needs no network, and none is reachable.
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    "spark.log.structuredLogging.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    # The SQL builders quote identifiers as standard SQL does ("hit:rule"), not `so`.
    "spark.sql.ansi.doubleQuotedIdentifiers": "true",
}


def _splink_jar() -> str:
    from splink.backends.spark import similarity_jar_location

    return similarity_jar_location()


@cache
def spark_session(master: str) -> "SparkSession":
    """The process's session on ``master`` (``local[2]``, or a cluster URL)."""
    from pyspark.sql import SparkSession

    # Workers run the same interpreter as the driver (ecomrisk's virtual environment).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = SparkSession.builder.master(master).appName("ecomrisk")
    # Splink's string-similarity functions (jaro_winkler, ...) for entity resolution:
    # a jar shipped inside the splink package, loaded with the session (no download).
    builder = builder.config("spark.jars", _splink_jar())
    for key, value in _CONFIG.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
