"""The per-hop breakdown of `make bench-readme --trace` read back from its processes' lines."""

from pathlib import Path

from benchmarks import latency_trace


def test_one_instance_is_broken_down_hop_by_hop(tmp_path: Path) -> None:
    client = [
        "S\tc-1\t1000.0\tPROCESS_INSTANCE_CREATION.CREATE_WITH_AWAITING_RESULT\t-1\t7",
        "R\tc-1\t1100.0",
        "W\tc-1\t1101.0",
    ]
    worker = [
        "J\t42\t1030.0",
        "S\tw-1\t1031.0\tJOB_BATCH.ACTIVATE\t-1\t",
        "C\tw-1\t1031.0\t42",
        "R\tw-1\t1060.0",
        "H\t42\t1061.0\t7",
        "S\tw-2\t1062.0\tJOB.COMPLETE\t42\t",
    ]
    engine = [
        "F\tc-1\t1005.0\t1002.0",
        "B\t1\t1008.0\t1010.0\t1012.0\t1020.0\t1025.0\t1026.0\t3",
        "b\tc-1\t1",
        "F\tw-1\t1035.0\t1033.0",
        "B\t2\t1040.0\t1042.0\t1044.0\t1050.0\t1055.0\t1056.0\t1",
        "b\tw-1\t2",
        "F\tw-2\t1065.0\t1063.0",
        "B\t3\t1070.0\t1072.0\t1074.0\t1080.0\t1090.0\t1091.0\t1",
        "b\tw-2\t3",
        "Q\tEndTxnRequest\t1020.0\t5.0",
    ]
    for name, lines in (("1", client), ("2", worker), ("3", engine)):
        (tmp_path / f"{name}.log").write_text("\n".join(lines) + "\n")

    hops = dict(latency_trace.breakdown(latency_trace.read(tmp_path)))

    assert hops["create: produced -> broker appended"] == [2.0]
    assert hops["create: -> engine has it"] == [3.0]
    assert hops["create: -> its batch starts"] == [3.0]
    assert hops["create: -> offsets sent (send_offsets_to_transaction)"] == [8.0]
    assert hops["create: -> committed (commit_transaction)"] == [5.0]
    assert hops["create: committed -> next reader has it"] == [5.0]
    assert hops["worker: job read -> claim produced"] == [1.0]
    assert hops["claim: committed -> next reader has it"] == [5.0]
    assert hops["worker: claim answer read -> handler starts"] == [1.0]
    assert hops["complete: committed -> next reader has it"] == [10.0]
    assert hops["client: result read -> waiting thread runs"] == [1.0]
    assert hops["total: create produced -> thread has the result"] == [101.0]
