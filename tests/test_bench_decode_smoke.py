"""The decode benchmark runs end to end on small inputs and does the work it claims (no timing)."""

from __future__ import annotations

from benchmarks import bench_decode
from benchmarks.corpus import make_stream, payloads, split_reads


def test_quick_run_counts_every_event() -> None:
    results = bench_decode.run(quick=True, rounds=1)
    events = results["events"]
    counts = results["counts"]
    assert set(events) == {
        f"{c}/{m}" for c in ("chat", "long", "tiny") for m in ("event", "random")
    }
    for (contender, case), count in counts.items():
        assert count == events[case], (contender, case)
    assert len({contender for contender, _ in counts}) == 7
    for table in (results["table"], results["gc_table"]):
        assert table.startswith("| µs per event |")
    assert "ours / floor" in results["table"]
    folds = results["fold_counts"]
    assert folds["accumulate/20"] == folds["naive concatenation/20"] > 0
    assert "accumulate/200" in folds


def test_contenders_agree_on_what_they_decode() -> None:
    data = make_stream(30, 1, 300, seed=5)
    expected = len(payloads(data))
    for mode in ("event", "random", "byte"):
        reads = split_reads(data, mode)
        for contender in (
            bench_decode.floor,
            bench_decode.floor_codec,
            bench_decode.ours,
            bench_decode.ours_fold,
            bench_decode.naive_json,
        ):
            assert contender(reads) == expected, (contender.__name__, mode)


def test_gc_mirror_decodes_the_same_values() -> None:
    import msgspec

    from gemini_stream.types import GenerateContentResponse

    mirror = bench_decode._gc_mirror(GenerateContentResponse)
    assert mirror.__struct_config__.gc
    payload = payloads(make_stream(1, 50, 50))[0]
    ours = msgspec.json.decode(payload, type=GenerateContentResponse)
    theirs = msgspec.json.decode(payload, type=mirror)
    assert msgspec.to_builtins(ours) == msgspec.to_builtins(theirs)


def test_main_prints_tables(capsys) -> None:
    bench_decode.main(["--quick", "--rounds", "1"])
    out = capsys.readouterr().out
    assert "| floor (find + msgspec) |" in out
    assert "| gc=True |" in out
