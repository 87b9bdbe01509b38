"""The command line: ``python -m analysis COMMAND ...`` over the package's functions.

Every user mistake ends as one line on stderr and exit status 2; set
``ANALYSIS_DEBUG=1`` to see a traceback for anything unexpected.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

from analysis.errors import InputError

EXIT_USAGE = 2


def _add_common(parser: argparse.ArgumentParser, level: bool = True, model: bool = True) -> None:
    if level:
        parser.add_argument(
            "--level", choices=("paragraph", "sentence"), default="paragraph",
            help="passage unit (default: paragraph)",
        )
    if model:
        parser.add_argument(
            "--model", default=None,
            help="keywords, tfidf, embed, zeroshot, ensemble, or a .skops file (default: best trained)",
        )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m analysis``."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Label war reporting passage by passage: diplomacy, strikes, incursions.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    classify = commands.add_parser(
        "classify", help="label the passages of an article or a passages file",
        description="Label each passage of PATH (.txt/.md/.html article, or .jsonl/.csv/.parquet "
        "passages with a 'text' column). PATH '-' reads an article from standard input.",
    )
    classify.add_argument("path", metavar="PATH")
    _add_common(classify)
    classify.add_argument("--format", choices=("table", "json", "csv"), default="table")
    classify.add_argument("--explain", action="store_true", help="show the evidence for each label")
    classify.add_argument("--encoding", default=None, help="text encoding of PATH (default: UTF-8)")
    classify.add_argument("-o", "--output", default=None, help="write to this file instead of stdout")
    classify.add_argument("--force", action="store_true", help="overwrite OUTPUT if it exists")
    classify.add_argument("--skip-bad-rows", action="store_true",
                          help="in a passages file, leave out rows whose text is not a string (default: error)")
    corpus = commands.add_parser("corpus", help="counts, labels and agreement of the labelled corpus")
    corpus.add_argument("--corpus", default=None, help="corpus folder (default: the repository's corpus/)")
    corpus.add_argument("--format", choices=("table", "json", "markdown"), default="table")

    train = commands.add_parser(
        "train", help="train models on the corpus, or on your own labelled passages, and save them with skops",
        description="Without --labels: train deterministically on the whole corpus (the seed article is never "
        "used) and save to analysis/models/trained/NAME.skops, or to --output. With --labels FILE (CSV, JSONL or "
        "Parquet with 'text' and 'labels' = names joined by ';', optional 'id' and 'article'): cross-validate "
        "by article, fit on every passage and write -o MODEL.skops with a JSON card beside it.",
    )
    train.add_argument("--model", default=None,
                       help="tfidf, embed, ensemble or all (default: all; with --labels: ensemble)")
    train.add_argument("--corpus", default=None)
    train.add_argument("--labels", default=None, metavar="FILE", help="your own labelled passages")
    train.add_argument("-o", "--output", default=None, help="write the model here (one model only)")
    train.add_argument("--force", action="store_true", help="overwrite an existing --output file")

    suggest = commands.add_parser(
        "suggest", help="the passages of a pool your own model is least sure of: a CSV to label next",
        description="Uncertainty sampling with diversity: the passages whose label scores sit closest to the "
        "thresholds of a model trained with `train --labels`, near-duplicates held back. POOL is a passages "
        "file (.jsonl/.csv/.parquet with 'text') or an article.",
    )
    suggest.add_argument("--model", required=True, help="a .skops file written by `train --labels`")
    suggest.add_argument("--pool", required=True, metavar="FILE", help="the passages to choose from")
    suggest.add_argument("-n", type=int, default=20, help="how many passages (default 20)")
    suggest.add_argument("--labels", default=None, metavar="FILE",
                         help="passages already labelled (never suggested again)")
    suggest.add_argument("--level", choices=("paragraph", "sentence"), default="paragraph",
                         help="passage unit when POOL is an article (default: paragraph)")
    suggest.add_argument("-o", "--output", default=None, help="write the CSV here instead of stdout")
    suggest.add_argument("--force", action="store_true", help="overwrite OUTPUT if it exists")

    evaluate = commands.add_parser(
        "evaluate", help="score every model on unseen articles (test split, left-out theatres, writers, styles, seed)",
    )
    evaluate.add_argument("--level", choices=("paragraph", "sentence"), default="paragraph")
    evaluate.add_argument("--models", default=",".join(("keywords", "tfidf", "embed", "zeroshot", "ensemble")),
                          help="comma-separated model names")
    evaluate.add_argument("--protocols", default="test,lto,lwo,seed",
                          help="comma-separated: test, lto (leave theatres out), lwo (leave writers out), "
                               "lso (leave styles out), seed")
    evaluate.add_argument("--corpus", default=None)
    evaluate.add_argument("--format", choices=("table", "json"), default="table")
    evaluate.add_argument("-o", "--output", default=None, help="also write the JSON results to this file")
    evaluate.add_argument("--force", action="store_true", help="overwrite OUTPUT if it exists")
    report = commands.add_parser(
        "report", help="a self-contained HTML report for one article (papermill + nbconvert)",
    )
    report.add_argument("path", metavar="PATH")
    report.add_argument("-o", "--output", required=True, help="the HTML file to write")
    _add_common(report)
    report.add_argument("--force", action="store_true", help="overwrite OUTPUT if it exists")
    report.add_argument("--date", default=None, metavar="YYYY-MM-DD",
                        help="the article's date, to date its events (default: from PATH's .meta.json)")
    events = commands.add_parser(
        "events", help="the strike and incursion events an article reports (who, where, what, casualties)",
    )
    events.add_argument("path", metavar="PATH")
    _add_common(events, level=False)
    events.add_argument("--format", choices=("table", "json", "csv"), default="table")
    events.add_argument("--encoding", default=None, help="text encoding of PATH (default: UTF-8)")
    events.add_argument("--date", default=None, metavar="YYYY-MM-DD",
                        help="the article's date, to resolve 'on Wednesday' (default: from PATH's .meta.json)")
    events.add_argument("--min-confidence", type=float, default=0.0, metavar="P",
                        help="show only events at least this likely to be real (0-1; default 0: all)")
    events.add_argument("--confidence-model", default=None, metavar="FILE",
                        help="an event confidence model, .npz (or a .skops pipeline); default: the shipped one")

    train_confidence = commands.add_parser(
        "train-event-confidence", help="fit the event confidence model on the tune half of the gold events",
        description="Fit the model that gives each extracted event its probability of being real, on the "
        "tune half of the held-out gold events (never the blind test half), and save it as plain arrays to "
        "analysis/models/trained/event-confidence.npz or to --output (a .npz name), with its JSON card beside it.",
    )
    train_confidence.add_argument("--corpus", default=None)
    train_confidence.add_argument("-o", "--output", default=None, help="write the model here (*.npz)")
    train_confidence.add_argument("--force", action="store_true", help="overwrite the model file if it exists")
    evaluate_confidence = commands.add_parser(
        "evaluate-event-confidence", help="how well event confidences rank and calibrate (tune CV, test half)",
        description="Cross-validate the event confidence model on the tune half (whole articles per fold), "
        "then fit it on its training splits and score the test half; also for the same articles read "
        "without their date.",
    )
    evaluate_confidence.add_argument("--corpus", default=None)
    evaluate_confidence.add_argument("--regularisation", type=float, default=None, metavar="C",
                                     help="inverse regularisation strength (default: the shipped model's)")
    evaluate_confidence.add_argument("--train-split", nargs="+", choices=("dev", "tune"), default=None,
                                     help="gold splits to train on (default: tune)")
    evaluate_confidence.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    evaluate_confidence.add_argument("--format", choices=("table", "json"), default="table")

    evaluate_events = commands.add_parser(
        "evaluate-events", help="per-field precision/recall of event extraction on the gold events",
    )
    evaluate_events.add_argument("--gold-labels", action="store_true",
                                 help="label sentences with the gold labels instead of the model")
    _add_common(evaluate_events, level=False)
    evaluate_events.add_argument("--corpus", default=None)
    evaluate_events.add_argument(
        "--split", nargs="+", choices=("dev", "heldout", "tune", "test", "all"), default=["test"],
        help="gold events to score (one or more): dev (the rules were written on them, plus the seed); heldout "
             "(annotated blind), made of tune (opened for error analysis after the first held-out run) and test "
             "(never inspected; default); or all")
    evaluate_events.add_argument("--format", choices=("table", "json"), default="table")

    batch = commands.add_parser(
        "batch", help="label a large input into Parquet: streaming, resumable, local or on Dask",
        description="INPUT is a folder of articles or a .jsonl/.csv/.parquet file of passages with a "
        "'text' column. Interrupted runs resume from the last finished chunk.",
    )
    batch.add_argument("input", metavar="INPUT")
    batch.add_argument("-o", "--output", required=True, help="the Parquet file to write")
    _add_common(batch)
    batch.add_argument("--engine", choices=("local", "dask"), default="local")
    batch.add_argument("--scheduler", default=None, help="address of a running dask.distributed scheduler")
    batch.add_argument("--chunksize", type=int, default=20000,
                       help="passages per chunk (default 20000; a folder's chunks end with an article)")
    batch.add_argument("--force", action="store_true", help="overwrite OUTPUT if it exists")
    batch.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                       help="show a progress bar (default: when stderr is a terminal)")
    batch.add_argument("--events", action="store_true",
                       help="also write the strike and incursion events of every article to OUTPUT.events.parquet "
                       "(OUT.parquet -> OUT.events.parquet; INPUT must be a folder of articles, dated by their "
                       ".meta.json; each article is labelled once for both files)")
    batch.add_argument("--skip-bad-rows", action="store_true",
                       help="leave out rows whose text is not a string, counted in a warning (default: error)")
    return parser


def _write_output(text: str, path: str | None, force: bool) -> None:
    if path is None:
        sys.stdout.write(text)
        return
    from analysis.files import check_writable, write_text_atomic

    write_text_atomic(text, check_writable(path, force))


def load_input(path: str, level: str, encoding: str | None = None, skip_bad_rows: bool = False):
    """Passages of an article file, a passages file, or standard input (``-``)."""
    from analysis import articles, segment

    if path == "-":
        data = articles.read_stream_limited(sys.stdin.buffer, articles.MAX_ARTICLE_BYTES, "<stdin>")
        text = articles.decode_bytes(data, "<stdin>", encoding)
        if not text.strip():
            raise InputError("<stdin>: no text")
        return segment.segment(articles.Article(id="stdin", text=text), level)
    if Path(path).suffix.lower() in articles.PASSAGE_SUFFIXES:
        return articles.read_passages(path, encoding, skip_bad_rows)
    return segment.segment(articles.read_article(path, encoding), level)


def cmd_classify(args) -> int:
    from analysis import formats, models
    from analysis.files import check_writable
    from analysis.labelling import label_passages

    if args.output:
        check_writable(args.output, args.force)
    passages = load_input(args.path, args.level, args.encoding, args.skip_bad_rows)
    model = models.get_model(args.model)
    labelled = label_passages(passages, model)
    if args.explain:
        from analysis.explain import explain_passages

        labelled["evidence"] = explain_passages(model, labelled)
    render = {"table": formats.to_table, "json": formats.to_json, "csv": formats.to_csv}[args.format]
    _write_output(render(labelled), args.output, args.force)
    return 0


def cmd_corpus(args) -> int:
    from analysis import formats
    from analysis.corpus import corpus_stats, load_corpus

    corpus = load_corpus(args.corpus)
    if args.format == "markdown":
        from analysis.corpus import data_card_tables

        sys.stdout.write(data_card_tables(corpus))
        return 0
    stats = corpus_stats(corpus)
    if args.format == "json":
        sys.stdout.write(formats.dumps(stats))
        return 0
    lines = [f"{key:>14}: {value}" for key, value in stats.items() if not isinstance(value, dict)]
    for key in ("labels", "kappa", "kappa_sentence", "theatres", "styles", "splits"):
        lines.append(f"{key:>14}: " + ", ".join(f"{k} {v}" for k, v in stats[key].items()))
    print("\n".join(lines))
    return 0


def cmd_train(args) -> int:
    from analysis.corpus import load_corpus
    from analysis.files import check_writable
    from analysis.models import TRAINED_MODELS
    from analysis.training import train_and_save

    if args.labels is not None:
        return _train_user_labels(args)
    args.model = args.model or "all"
    names = list(TRAINED_MODELS) if args.model == "all" else [args.model]
    unknown = [n for n in names if n not in TRAINED_MODELS]
    if unknown:
        raise InputError(f"cannot train {unknown[0]!r}; trainable models: {', '.join(TRAINED_MODELS)}")
    if args.output:
        if len(names) != 1:
            raise InputError("--output needs a single --model")
        check_writable(args.output, args.force)
    corpus = load_corpus(args.corpus)
    for name in names:
        path, seconds = train_and_save(name, corpus, args.output)
        print(f"{name}: trained in {seconds:.1f} s -> {path} ({path.stat().st_size / 1e6:.2f} MB)")
    return 0


def _train_user_labels(args) -> int:
    import time

    from analysis import userlabels

    kind = args.model or userlabels.DEFAULT_KIND
    if kind not in userlabels.KINDS:
        raise InputError(f"unknown model kind {kind!r} for --labels; expected one of {', '.join(userlabels.KINDS)}")
    if args.output is None:
        raise InputError("--labels needs -o MODEL.skops, the file to write")
    userlabels.check_output(args.output, args.force)
    started = time.perf_counter()
    model, card = userlabels.train_user_model(args.labels, kind)
    path = userlabels.save_user_model(model, card, args.output, args.force)
    print(userlabels.card_summary(card))
    print(f"trained in {time.perf_counter() - started:.1f} s -> {path} and {userlabels.card_path(path).name}")
    return 0


def cmd_suggest(args) -> int:
    from analysis import models
    from analysis.files import check_writable
    from analysis.suggest import suggest_passages

    if args.n < 1:
        raise InputError(f"-n must be at least 1, not {args.n}")
    if args.output:
        check_writable(args.output, args.force)
    model = models.get_model(args.model)
    pool = load_input(args.pool, args.level)
    exclude = []
    if args.labels:
        from analysis.userlabels import read_labelled

        exclude = read_labelled(args.labels)["text"].tolist()
    table = suggest_passages(model, pool, args.n, exclude=exclude)
    _write_output(table.to_csv(index=False, lineterminator="\n"), args.output, args.force)
    return 0


def cmd_evaluate(args) -> int:
    from analysis import formats
    from analysis.corpus import load_corpus
    from analysis.evaluate import PROTOCOLS, evaluate, results_table
    from analysis.files import check_writable, write_text_atomic

    names = [n.strip() for n in args.models.split(",") if n.strip()]
    protocols = [p.strip() for p in args.protocols.split(",") if p.strip()]
    bad = [p for p in protocols if p not in PROTOCOLS]
    if bad:
        raise InputError(f"unknown protocol {bad[0]!r}; expected one of {', '.join(PROTOCOLS)}")
    from analysis.models import build_model

    for name in names:
        build_model(name)  # unknown names fail here, before any training
    if args.output:
        check_writable(args.output, args.force)
    results = evaluate(load_corpus(args.corpus), names, args.level, protocols)
    if args.output:
        write_text_atomic(formats.dumps(results), args.output)
    if args.format == "json":
        sys.stdout.write(formats.dumps(results))
    else:
        print(results_table(results).to_string())
    return 0


def cmd_report(args) -> int:
    from analysis.report import render_report

    path, seconds = render_report(args.path, args.output, args.level, args.model, args.force, args.date)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB) in {seconds:.1f} s")
    return 0


def cmd_events(args) -> int:
    from analysis import formats
    from analysis.articles import read_article, with_date
    from analysis.events import events_records, extract_events
    from analysis.events.confidence import add_confidence, load_confidence_model

    if not 0.0 <= args.min_confidence <= 1.0:
        raise InputError(f"--min-confidence must be between 0 and 1, not {args.min_confidence:g}")
    confidence_model = load_confidence_model(args.confidence_model)  # a bad file fails before the slow part
    article = read_article(args.path, args.encoding)
    if args.date is not None:
        article = with_date(article, args.date)
    table = add_confidence(extract_events(article, _event_model(args.model)), article, confidence_model)
    found = len(table)
    if args.min_confidence > 0:
        table = table[table["confidence"] >= args.min_confidence].reset_index(drop=True)
    if args.format == "json":
        sys.stdout.write(formats.dumps(events_records(table)))
    elif args.format == "csv":
        sys.stdout.write(table.drop(columns=["evidence"]).to_csv(index=False, lineterminator="\n"))
    else:
        columns = ["paragraph", "kind", "date", "attacker", "target", "place", "admin_region", "country",
                   "weapon", "weapon_type", "killed", "wounded", "violated_state", "distance_km", "confidence"]
        shown = table[columns].astype(object).where(table[columns].notna(), "")
        if len(shown):
            print(shown.to_string(index=False))
        elif found:
            print(f"no events with confidence >= {args.min_confidence:g} ({found} hidden)")
        else:
            print("no strike or incursion events found")
    return 0


def _event_model(name: str | None):
    """A passage model for events: it must label the codebook's strikes and incursions."""
    from analysis.labelling import check_event_labels
    from analysis.models import get_model

    model = get_model(name)
    check_event_labels(model, name)
    return model


def cmd_evaluate_events(args) -> int:
    from analysis import formats
    from analysis.corpus import load_corpus
    from analysis.events.evaluation import evaluate_events

    model = None if args.gold_labels else _event_model(args.model)
    corpus = load_corpus(args.corpus)
    splits = list(dict.fromkeys(args.split))
    results = {split: evaluate_events(corpus, use_gold_labels=args.gold_labels, model=model, split=split)
               for split in splits}
    if args.format == "json":
        sys.stdout.write(formats.dumps(results[splits[0]] if len(splits) == 1 else results))
        return 0
    import pandas as pd

    for split, result in results.items():
        rows = {"events": result["events"], **result["fields"]}
        print(f"{split}: {result['articles']} articles, labels from {result['labels']}")
        print(pd.DataFrame(rows).T.to_string())
    return 0


def cmd_train_event_confidence(args) -> int:
    import json
    import time

    from analysis.corpus import load_corpus
    from analysis.events.confidence import MODEL_PATH, save_confidence_model, train_confidence_model
    from analysis.files import check_writable, write_text_atomic

    path = Path(args.output) if args.output else MODEL_PATH
    if path.suffix != ".npz":
        raise InputError(f"{path}: the event confidence model is written as plain arrays; name it *.npz")
    check_writable(path, args.force)
    started = time.perf_counter()
    model, card = train_confidence_model(load_corpus(args.corpus))
    save_confidence_model(model, path)
    write_text_atomic(json.dumps(card, indent=2) + "\n", path.with_suffix(".json"))
    seconds = time.perf_counter() - started
    print(f"event confidence: trained on {card['trained_on']['events']} events in {seconds:.1f} s -> {path} "
          f"({path.stat().st_size / 1e3:.1f} kB) and {path.with_suffix('.json').name}")
    return 0


def cmd_evaluate_event_confidence(args) -> int:
    from analysis import formats
    from analysis.corpus import load_corpus
    from analysis.events.confidence import REGULARISATION, TRAINING_SPLITS, confidence_report

    if args.folds < 2:
        raise InputError("--folds must be at least 2")
    if args.regularisation is not None and not args.regularisation > 0:
        raise InputError("--regularisation must be a positive number")
    report = confidence_report(load_corpus(args.corpus), folds=args.folds,
                               regularisation=args.regularisation or REGULARISATION,
                               training_splits=tuple(dict.fromkeys(args.train_split or TRAINING_SPLITS)))
    if args.format == "json":
        sys.stdout.write(formats.dumps(report))
        return 0
    import pandas as pd

    for name, scores in report.items():
        print(f"{name}: {scores['events']} events, {scores['share_real']:.1%} real; ROC AUC {scores['roc_auc']:.3f}, "
              f"Brier {scores['brier']:.3f} (base rate alone {scores['brier_of_base_rate']:.3f})")
        print(pd.DataFrame(scores["calibration"]).to_string(index=False))
        print(pd.DataFrame(scores["filtering"]).to_string(index=False))
        print()
    return 0


def cmd_batch(args) -> int:
    from analysis.batch import run_batch

    summary = run_batch(args.input, args.output, args.level, args.model, args.engine, args.scheduler,
                        args.chunksize, args.force, args.progress, args.skip_bad_rows, args.events)
    rate = summary["passages"] / max(summary["seconds"], 1e-9)
    print(f"wrote {summary['output']}: {summary['passages']:,} passages in {summary['chunks']} chunks, "
          f"{summary['seconds']:.1f} s ({rate:,.0f} passages/s), {summary['resumed_chunks']} chunks resumed")
    if args.events:
        print(f"wrote {summary['events_output']}: {summary['events']:,} events")
    return 0


COMMANDS = {
    "classify": cmd_classify,
    "corpus": cmd_corpus,
    "train": cmd_train,
    "suggest": cmd_suggest,
    "evaluate": cmd_evaluate,
    "report": cmd_report,
    "batch": cmd_batch,
    "events": cmd_events,
    "evaluate-events": cmd_evaluate_events,
    "train-event-confidence": cmd_train_event_confidence,
    "evaluate-event-confidence": cmd_evaluate_event_confidence,
}


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            status = COMMANDS[args.command](args)
        for warning in caught:
            if issubclass(warning.category, UserWarning):
                print(f"warning: {warning.message}", file=sys.stderr)
        return status
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `classify ... | head` closes the pipe early: not an error for the user.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as err:
        print(f"error: {err.strerror or err}: {err.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_USAGE
    except Exception as err:  # the last line of defence: never a bare traceback
        if os.environ.get("ANALYSIS_DEBUG"):
            raise
        print(f"internal error: {_short_message(err)} (set ANALYSIS_DEBUG=1 for details)", file=sys.stderr)
        return 1


def _short_message(err: Exception, limit: int = 160) -> str:
    """The exception's type and the start of its first line.

    Messages of libraries can quote the data they were given (a whole article, once);
    the user's text must never be poured onto the terminal.
    """
    lines = str(err).splitlines()
    first = lines[0] if lines else ""
    if len(first) > limit:
        first = first[:limit] + "..."
    return f"{type(err).__name__}: {first}" if first else type(err).__name__

