"""``client.batches`` against the emulator: create (inline or an uploaded JSONL file), wait,
results by key equal to what ``generate`` answers, per-request errors, cancel, delete, list,
both state spellings, the wait's deadline, and ``aclose()`` ending a wait."""

from __future__ import annotations

import asyncio
import gc
import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import gemini_stream as gs
from gemini_stream.cli import main as cli_main
from gemini_stream.emulator import BATCH_FAIL_TRIGGER, Emulator, expected_text
from gemini_stream.types import GenerateContentResponse

MODEL = "gemini-2.5-flash"
HOUR = 3600.0


def _rpcs(emulator: Emulator, rpc: str) -> list[Any]:
    return [r for r in emulator.records if r.rpc == rpc]


async def _finished(client: gs.Client, batch: gs.Batch) -> gs.Batch:
    return await asyncio.wait_for(client.batches.wait(batch, timeout=30, poll_interval=0.01), 10)


async def _collect(client: gs.Client, batch: gs.Batch) -> dict[str, Any]:
    return {key: reply async for key, reply in client.batches.results(batch)}


async def test_inline_batch_results_equal_generate_by_key(
    client: gs.Client, emulator: Emulator
) -> None:
    prompts = ["Hi", "What is a batch?", "Bye"]
    batch = await client.batches.create(MODEL, prompts, display_name="three prompts")
    assert batch.state == "PENDING" and not batch.done
    assert batch.name.startswith("batches/") and batch.display_name == "three prompts"
    assert batch.stats.request_count == 3 and batch.stats.pending_request_count == 3
    (create,) = _rpcs(emulator, "batchGenerateContent")
    assert create.path == f"/v1beta/models/{MODEL}:batchGenerateContent"
    sent = create.body["batch"]
    assert sent["displayName"] == "three prompts"
    assert sent["inputConfig"]["requests"]["requests"][1] == {
        "request": {"contents": [{"role": "user", "parts": [{"text": "What is a batch?"}]}]},
        "metadata": {"key": "request-1"},
    }
    assert not _rpcs(emulator, "files.upload")  # small: inline

    done = await _finished(client, batch)
    assert done.state == "SUCCEEDED" and done.done and done.kind == "generate"
    assert done.stats.successful_request_count == 3 and done.stats.failed_request_count == 0
    results = await _collect(client, done)
    assert list(results) == ["request-0", "request-1", "request-2"]
    for key, prompt in zip(results, prompts, strict=True):
        direct = await client.generate(MODEL, prompt)
        assert isinstance(results[key], GenerateContentResponse)
        assert results[key].text == direct.text
        assert results[key].usage_metadata == direct.usage_metadata


async def test_keys_from_pairs_and_requests_of_the_batch_model(client: gs.Client) -> None:
    config = {"temperature": 0.2, "max_output_tokens": 5}
    items = {
        "short": gs.Request(MODEL, "Tell me a long story", config=config),
        "plain": "Hello there",
    }
    batch = await _finished(client, await client.batches.create(MODEL, items.items()))
    results = await _collect(client, batch)
    assert set(results) == {"short", "plain"}
    short = await client.generate(MODEL, "Tell me a long story", config=config)
    assert results["short"].text == short.text
    assert results["short"].candidates[0].finish_reason == "MAX_TOKENS"


async def test_a_failed_request_is_a_typed_error_and_the_batch_succeeds(
    client: gs.Client,
) -> None:
    pairs = [("ok", "Hi"), ("refused", f"Please {BATCH_FAIL_TRIGGER}")]
    batch = await _finished(client, await client.batches.create(MODEL, pairs))
    assert batch.state == "SUCCEEDED"
    assert batch.stats.successful_request_count == 1 and batch.stats.failed_request_count == 1
    results = await _collect(client, batch)
    assert isinstance(results["ok"], GenerateContentResponse)
    error = results["refused"]
    assert isinstance(error, gs.RateLimitError)
    assert (error.code, error.status) == (429, "RESOURCE_EXHAUSTED")


async def test_a_batch_over_the_inline_limit_is_uploaded_as_jsonl(
    client: gs.Client, emulator: Emulator
) -> None:
    pairs = [(f"q{i}", f"Question {i}") for i in range(5)]
    batch = await client.batches.create(MODEL, iter(pairs), inline_limit=200)
    (create,) = _rpcs(emulator, "batchGenerateContent")
    file_name = create.body["batch"]["inputConfig"]["fileName"]
    assert batch.input_file == file_name
    uploaded = emulator.files.files[file_name.removeprefix("files/")]
    lines = uploaded.data.decode().splitlines()
    assert len(lines) == 5 and uploaded.mime_type == "text/plain"
    assert lines[3] == (
        '{"key":"q3","request":{"contents":[{"role":"user","parts":[{"text":"Question 3"}]}]}}'
    )
    done = await _finished(client, batch)
    assert done.responses_file is not None and done.responses_file.startswith("files/")
    results = await _collect(client, done)
    assert list(results) == [key for key, _ in pairs]
    direct = await client.generate(MODEL, "Question 4")
    assert results["q4"].text == direct.text
    (download,) = _rpcs(emulator, "files.download")
    assert download.path.startswith("/download/v1beta/files/batch-")


def _prompts(count: int) -> Iterator[str]:
    for i in range(count):
        yield f"Prompt number {i} of a large batch"


# The upload's last chunk is over 1 MB, which aiohttp warns about for any bytes body (the
# Files API's resumable upload sends its chunks so, up to the 8 MiB granularity).
async def test_ten_thousand_results_stream_with_flat_memory(
    client: gs.Client, emulator: Emulator
) -> None:
    count = 10_000
    batch = await client.batches.create(MODEL, _prompts(count), inline_limit=100_000)
    assert _rpcs(emulator, "files.upload")  # over the limit: the generator went to a file
    done = await asyncio.wait_for(client.batches.wait(batch, timeout=120, poll_interval=0.01), 120)
    assert done.stats.successful_request_count == count
    result_file = emulator.files.files[done.responses_file.removeprefix("files/")]
    file_size = len(result_file.data)
    assert file_size > 5_000_000

    gc.collect()
    tracemalloc.start()
    try:
        seen = 0
        async for key, reply in client.batches.results(done):
            assert key == f"request-{seen}"
            assert isinstance(reply, GenerateContentResponse)
            seen += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == count
    # The results never sat in memory together: the peak is a small fraction of the file.
    # (Measured: ~0.6 MB for this 6 MB file, and the same for an 18 MB one.)
    assert peak < file_size / 5, (peak, file_size)


async def test_cancel_ends_a_running_batch_without_results(
    client: gs.Client, emulator: Emulator
) -> None:
    emulator.batches.duration = HOUR
    batch = await client.batches.create(MODEL, ["Hi"])
    emulator.batches.advance(HOUR / 2)
    assert (await client.batches.get(batch)).state == "RUNNING"
    await client.batches.cancel(batch)
    (cancel,) = _rpcs(emulator, "batches.cancel")
    assert (cancel.method, cancel.path) == ("POST", f"/v1beta/{batch.name}:cancel")
    cancelled = await _finished(client, batch)
    assert cancelled.state == "CANCELLED" and cancelled.done
    with pytest.raises(ValueError, match="CANCELLED"):
        await _collect(client, cancelled)


async def test_delete_removes_the_batch(client: gs.Client, emulator: Emulator) -> None:
    batch = await client.batches.create(MODEL, ["Hi"])
    await client.batches.delete(batch.name.removeprefix("batches/"))
    (delete,) = _rpcs(emulator, "batches.delete")
    assert (delete.method, delete.path) == ("DELETE", f"/v1beta/{batch.name}")
    with pytest.raises(gs.NotFoundError):
        await client.batches.get(batch)
    assert [b.name async for b in client.batches.list()] == []


async def test_list_fetches_every_page_newest_first(client: gs.Client, emulator: Emulator) -> None:
    names = [(await client.batches.create(MODEL, [f"Hi {i}"])).name for i in range(5)]
    listed = [b async for b in client.batches.list(page_size=2)]
    assert [b.name for b in listed] == names[::-1]
    assert all(b.model == f"models/{MODEL}" for b in listed)
    pages = _rpcs(emulator, "batches.list")
    assert len(pages) == 3
    assert "pageToken" not in pages[0].query and "pageToken" in pages[2].query


@pytest.mark.parametrize("prefix", ["BATCH_STATE_", "JOB_STATE_"])
async def test_both_state_spellings_read_as_one(
    client: gs.Client, emulator: Emulator, prefix: str
) -> None:
    emulator.batches.state_prefix = prefix
    emulator.batches.duration = HOUR
    batch = await client.batches.create(MODEL, ["Hi"])
    assert batch.state == "PENDING"
    emulator.batches.advance(HOUR / 2)
    assert (await client.batches.get(batch)).state == "RUNNING"
    emulator.batches.advance(HOUR / 2)
    done = await client.batches.get(batch)
    assert done.state == "SUCCEEDED" and done.done
    assert len(await _collect(client, done)) == 1


async def test_wait_reports_progress_and_times_out(client: gs.Client, emulator: Emulator) -> None:
    emulator.batches.duration = HOUR
    batch = await client.batches.create(MODEL, ["Hi"])
    seen: list[str] = []
    with pytest.raises(gs.BatchTimeoutError) as caught:
        await asyncio.wait_for(
            client.batches.wait(
                batch, timeout=0.2, poll_interval=0.02, on_progress=lambda b: seen.append(b.state)
            ),
            10,
        )
    assert isinstance(caught.value, TimeoutError)
    assert caught.value.batch.state == "PENDING"
    assert len(seen) >= 2 and set(seen) == {"PENDING"}
    emulator.batches.advance(HOUR)
    assert (await _finished(client, batch)).state == "SUCCEEDED"


async def test_a_batch_not_done_in_48_hours_expires(client: gs.Client, emulator: Emulator) -> None:
    emulator.batches.duration = 72 * HOUR
    batch = await client.batches.create(MODEL, ["Hi"])
    emulator.batches.advance(48 * HOUR)
    expired = await _finished(client, batch)
    assert expired.state == "EXPIRED" and expired.output is None


async def test_aclose_ends_a_wait(emulator: Emulator) -> None:
    emulator.batches.duration = HOUR
    client = gs.Client(base_url=emulator.url, api_key="test-key")
    batch = await client.batches.create(MODEL, ["Hi"])
    polled = asyncio.Event()
    waiting = asyncio.create_task(
        client.batches.wait(
            batch, timeout=600, poll_interval=300, on_progress=lambda _: polled.set()
        )
    )
    await asyncio.wait_for(polled.wait(), 10)  # the first poll is in: the wait sleeps now
    await client.aclose()
    with pytest.raises(gs.ClientClosedError):
        await asyncio.wait_for(waiting, 10)


async def test_aclose_ends_reading_a_result_file(emulator: Emulator) -> None:
    client = gs.Client(base_url=emulator.url, api_key="test-key")
    batch = await client.batches.create(MODEL, _prompts(3000), inline_limit=0)
    done = await _finished(client, batch)
    read = 0
    with pytest.raises(gs.ClientClosedError):
        async for _ in client.batches.results(done):
            read += 1
            if read == 1:
                await client.aclose()
    assert 1 <= read < 3000


async def test_bad_input_is_refused_before_sending(client: gs.Client, emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="at least one request"):
        await client.batches.create(MODEL, [])
    with pytest.raises(ValueError, match="duplicate key 'a'"):
        await client.batches.create(MODEL, [("a", "x"), ("a", "y")])
    with pytest.raises(TypeError, match="key of request 0"):
        await client.batches.create(MODEL, [(3, "x")])
    with pytest.raises(TypeError, match="iterable"):
        await client.batches.create(MODEL, "Hi")
    with pytest.raises(ValueError, match=r"gemini-2\.0-flash"):
        await client.batches.create(MODEL, [gs.Request("gemini-2.0-flash", "Hi")])
    with pytest.raises(ValueError, match="invalid batch name"):
        await client.batches.get("batches/not a name")
    assert emulator.records == []


@pytest.mark.parametrize("inline_limit", [20_000_000, 0])
async def test_embeddings_batch_matches_client_embed(
    client: gs.Client, emulator: Emulator, inline_limit: int
) -> None:
    model = "gemini-embedding-001"
    texts = {"cat": "a cat", "kitten": "a kitten", "car": "a car"}
    batch = await client.batches.create_embeddings(
        model,
        texts.items(),
        task_type="RETRIEVAL_DOCUMENT",
        output_dimensionality=128,
        inline_limit=inline_limit,
    )
    (create,) = _rpcs(emulator, "asyncBatchEmbedContent")
    assert create.path == f"/v1beta/models/{model}:asyncBatchEmbedContent"
    if inline_limit:
        first = create.body["batch"]["inputConfig"]["requests"]["requests"][0]
        assert first["metadata"] == {"key": "cat"}
        assert first["request"]["taskType"] == "RETRIEVAL_DOCUMENT"
    else:
        assert create.body["batch"]["inputConfig"]["fileName"].startswith("files/")
    done = await _finished(client, batch)
    assert done.kind == "embeddings" and done.state == "SUCCEEDED"
    got = {key: vector async for key, vector in client.batches.embedding_results(done)}
    direct = await client.embed(
        model, list(texts.values()), task_type="RETRIEVAL_DOCUMENT", output_dimensionality=128
    )
    assert list(got) == list(texts)
    for key, vector in zip(texts, direct, strict=True):
        assert isinstance(got[key], gs.Embedding) and list(got[key]) == list(vector)


def test_cli_submit_waits_and_prints_results_by_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    lines = [
        json.dumps({"key": "greeting", "request": {"contents": [{"parts": [{"text": "Hi"}]}]}}),
        "",
        json.dumps(f"Please {BATCH_FAIL_TRIGGER}"),
    ]
    path = tmp_path / "requests.jsonl"
    path.write_text("\n".join(lines) + "\n")
    assert cli_main(["batch", "submit", str(path), "--wait", "--name", "cli"]) == 1  # one failed
    out, err = capsys.readouterr()
    name, first, second = out.splitlines()
    assert name.startswith("batches/")
    assert "SUCCEEDED: 2 requests, 1 succeeded, 1 failed" in err
    greeting = json.loads(first)
    assert greeting["key"] == "greeting"
    assert greeting["response"]["candidates"][0]["content"]["parts"][0]["text"] == expected_text(
        {"contents": [{"parts": [{"text": "Hi"}]}]}
    )
    assert json.loads(second) == {
        "key": "request-3",
        "error": {
            "code": 429,
            "status": "RESOURCE_EXHAUSTED",
            "message": "Resource has been exhausted (e.g. check quota).",
        },
    }
    path.write_text('{"key": "x"}\n')
    assert cli_main(["batch", "submit", str(path)]) == 1
    err = capsys.readouterr().err
    assert "line 1: expected" in err and err.count("\n") == 2  # the emulator line, the error
    snake = {"contents": [{"parts": [{"text": "Hi"}]}], "generationConfig": {"max_tokens": 5}}
    path.write_text(json.dumps({"request": snake}) + "\n")
    assert cli_main(["batch", "submit", str(path)]) == 1
    assert "unknown field request.generationConfig.max_tokens" in capsys.readouterr().err


async def test_cli_submit_wait_shows_progress_as_the_batch_moves(
    emulator: Emulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "test-key")
    monkeypatch.setenv("GEMINI_BASE_URL", emulator.url)
    emulator.batches.duration = 0.4  # PENDING, RUNNING from 0.2 s, SUCCEEDED at 0.4 s
    path = tmp_path / "requests.jsonl"
    path.write_text('"Hi"\n"Hello"\n')
    argv = ["batch", "submit", str(path), "--wait", "--poll", "0.05"]
    assert await asyncio.to_thread(cli_main, argv) == 0
    states = [line.split(":")[0].split()[-1] for line in capsys.readouterr().err.splitlines()]
    assert states[-3:] == ["PENDING", "RUNNING", "SUCCEEDED"], states


async def test_cli_status_and_results_of_a_batch(
    emulator: Emulator,
    client: gs.Client,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "test-key")
    monkeypatch.setenv("GEMINI_BASE_URL", emulator.url)
    batch = await _finished(client, await client.batches.create(MODEL, [("only", "Hello")]))
    assert await asyncio.to_thread(cli_main, ["batch", "status", batch.name]) == 0
    assert capsys.readouterr().out == (
        f"{batch.name} SUCCEEDED: 1 requests, 1 succeeded, 0 failed, 0 pending\n"
    )
    assert await asyncio.to_thread(cli_main, ["batch", "results", batch.name]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["key"] == "only"
    assert await asyncio.to_thread(cli_main, ["batch", "status", "batches/gone"]) == 1
    assert "not found" in capsys.readouterr().err


def test_a_succeeded_batch_without_output_yet_is_not_finished() -> None:
    from gemini_stream._wire.batches import BatchMetadata, Operation
    from gemini_stream._wire.status import ErrorStatus

    meta = BatchMetadata(state="JOB_STATE_SUCCEEDED")
    batch = gs.Batch.from_operation(Operation(name="batches/a", metadata=meta, done=True))
    assert batch.state == "SUCCEEDED" and batch.done and batch.output is None
    assert batch.error is None
    assert gs.Batch.from_operation(Operation(name="batches/b")).state == "UNSPECIFIED"
    status = ErrorStatus(code=13, message="the job failed")
    meta = BatchMetadata(state="BATCH_STATE_FAILED")
    failed = gs.Batch.from_operation(
        Operation(name="batches/c", metadata=meta, done=True, error=status)
    )
    assert failed.state == "FAILED" and failed.done and failed.output is None
    assert isinstance(failed.error, gs.ServerError)
    assert (failed.error.code, failed.error.status, failed.error.message) == (
        500,
        "INTERNAL",
        "the job failed",
    )
